import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../store/db.ts';
import { LANGUAGES } from '../../admin/languages.ts';

/** The path of an organization's public page of dial-in numbers (linked from every invite). */
export const dialInPagePath = (orgId: string) => `/dial-in/${encodeURIComponent(orgId)}`;

interface NumberRow {
  number: string;
  type: 'Toll' | 'TollFree';
  city: string;
  country: string | null;
  primary_language: string;
  secondary_languages: string[];
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const languageName = (code: string) => LANGUAGES.find((l) => l.code === code)?.nativeName ?? code;
const countryName = (code: string | null) =>
  code ? (new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code) : 'Other';

/**
 * The public page of an organization's dial-in numbers, by country and city:
 * what the "find a local number" link in every invite opens. Phone numbers
 * are published anyway; nothing else about the organization is shown.
 */
export function registerDialInPage(app: FastifyInstance, db: Queryable): void {
  app.get('/dial-in/:org', { schema: { hide: true } }, async (req, reply) => {
    const { org } = req.params as { org: string };
    const [o] = await db.query<{ id: string; name: string }>(
      'select id, name from organizations where id = $1',
      [org],
    );
    if (!o) return reply.code(404).type('text/plain').send('No such organization.');
    const rows = await db.query<NumberRow>(
      `select number, type, city, country, primary_language, secondary_languages from service_numbers
        where (org_id = $1 or shared) and bridge_id is not null
        order by country nulls last, city, type, number`,
      [o.id],
    );
    const numbers = rows.map((r) => ({
      Number: r.number,
      Type: r.type,
      City: r.city,
      Country: r.country,
      Languages: [r.primary_language, ...r.secondary_languages],
    }));
    const wantsJson =
      (req.query as { format?: string }).format === 'json' ||
      (req.headers.accept ?? '').includes('application/json');
    if (wantsJson) return { Organization: o.name, Numbers: numbers };
    const byCountry = new Map<string, typeof numbers>();
    for (const n of numbers) {
      const key = countryName(n.Country);
      byCountry.set(key, [...(byCountry.get(key) ?? []), n]);
    }
    const sections = [...byCountry]
      .map(
        ([country, list]) => `<h2>${esc(country)}</h2>
<table><thead><tr><th scope="col">City</th><th scope="col">Number</th><th scope="col">Type</th><th scope="col">Languages</th></tr></thead><tbody>
${list
  .map(
    (n) =>
      `<tr><td>${esc(n.City)}</td><td><a href="tel:${esc(n.Number)}">${esc(n.Number)}</a></td><td>${n.Type === 'TollFree' ? 'Toll-free' : 'Toll'}</td><td>${esc(n.Languages.map(languageName).join(', '))}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`,
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dial-in numbers — ${esc(o.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd}</style>
</head><body><h1>Dial-in numbers</h1>
<p>Call the number nearest to you, then enter the conference ID from your invitation followed by <kbd>#</kbd>.</p>
${sections || '<p>No dial-in numbers are set up yet.</p>'}
</body></html>`);
  });
}
