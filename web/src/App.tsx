export function App() {
  return <main>dialbridge admin center</main>;
}
