import { Link, useTitle } from '../router.tsx';

export default function NotFound() {
  useTitle('Not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no page here. Go to <Link href="/users">Dial-in users</Link>.
      </p>
    </>
  );
}
