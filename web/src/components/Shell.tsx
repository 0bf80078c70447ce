import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link } from '../router.tsx';
import type { Session } from '../session.ts';

/**
 * The admin center's frame: a skip link, the header (organization, who is
 * signed in, sign out) and the "Dial-in conferencing" navigation, which folds
 * behind a Menu button on narrow screens.
 */
export function Shell({
  routes,
  path,
  session,
  onSignOut,
  children,
}: {
  routes: { path: string; label: string }[];
  path: string;
  session: Session;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // A new page: close the menu and move focus to the content, as a page load would.
  useEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <span className="brand">dialbridge</span>
        <span className="org" title="Organization">
          {session.organization.name}
        </span>
        <span className="spacer" />
        <span className="who">{session.user.name}</span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav id="nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Dial-in conferencing">
        <h2 className="nav-title">Dial-in conferencing</h2>
        <ul>
          {routes.map((r) => (
            <li key={r.path}>
              <Link href={r.path} aria-current={r.path === path ? 'page' : undefined}>
                {r.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
