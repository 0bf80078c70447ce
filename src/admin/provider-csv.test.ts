import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import {
  checkRow,
  checkRows,
  CSV_COLUMNS,
  exportCsv,
  parseCsv,
  type ImportUser,
} from './provider-csv.ts';

const HEADER =
  'Identity,DisplayName,Email,Provider,Domain,TollNumber,TollFreeNumbers,ParticipantPasscode,Url';

const user = (upn: string, over: Partial<ImportUser> = {}): ImportUser => ({
  id: `id-${upn}`,
  upn,
  displayName: upn.split('@')[0]!,
  email: upn,
  provider: 'None',
  acp: null,
  ...over,
});

const users = (...list: ImportUser[]) => new Map(list.map((u) => [u.upn, u]));

describe('provider CSV export', () => {
  it('writes the documented header and one row per user, toll-free numbers joined by ;', () => {
    const csv = exportCsv([
      {
        upn: 'amos.marble@contoso.com',
        displayName: 'Marble, Amos',
        email: 'amos.marble@contoso.com',
        acp: null,
      },
      {
        upn: 'bo@contoso.com',
        displayName: 'Bo "B" Li',
        email: 'bo@contoso.com',
        acp: {
          name: 'Acme Audio',
          domain: 'acme.example',
          toll_number: '+14255550199',
          toll_free_numbers: ['+18005550100', '+18885550100'],
          participant_passcode: '123456',
          url: 'https://acme.example/join',
        },
      },
    ]);
    expect(csv.split('\r\n')[0]).toBe(HEADER);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        Identity: 'amos.marble@contoso.com',
        DisplayName: 'Marble, Amos',
        Email: 'amos.marble@contoso.com',
        Provider: '',
        Domain: '',
        TollNumber: '',
        TollFreeNumbers: '',
        ParticipantPasscode: '',
        Url: '',
      },
      {
        Identity: 'bo@contoso.com',
        DisplayName: 'Bo "B" Li',
        Email: 'bo@contoso.com',
        Provider: 'Acme Audio',
        Domain: 'acme.example',
        TollNumber: '+14255550199',
        TollFreeNumbers: '+18005550100;+18885550100',
        ParticipantPasscode: '123456',
        Url: 'https://acme.example/join',
      },
    ]);
    // What the export writes, the import reads back.
    const back = parseCsv(csv);
    expect(back.errors).toEqual([]);
    expect(back.columns).toEqual([...CSV_COLUMNS]);
    expect(back.rows.map((r) => r.line)).toEqual([2, 3]);
  });
  it('a display name a spreadsheet would run as a formula is made inert', () => {
    const csv = exportCsv([
      {
        upn: 'x@contoso.com',
        displayName: '=HYPERLINK("http://evil")',
        email: 'x@contoso.com',
        acp: null,
      },
    ]);
    const [row] = parse(csv, { columns: true }) as Record<string, string>[];
    expect(row!.DisplayName).toBe(`'=HYPERLINK("http://evil")`);
  });
});

describe('provider CSV header', () => {
  it('needs a header row naming the required columns, and nothing unknown', () => {
    expect(parseCsv('').errors).toEqual([
      { line: 1, message: expect.stringMatching(/empty: the first line must be the header row/) },
    ]);
    const missing = parseCsv('Identity,Provider,TollNumber\na@contoso.com,Acme,+14255550100\n');
    expect(missing.errors).toHaveLength(1);
    expect(missing.errors[0]!.line).toBe(1);
    expect(missing.errors[0]!.message).toMatch(/missing required column ParticipantPasscode/);
    expect(missing.rows).toEqual([]);
    const unknown = parseCsv(
      'Identity,Provider,TollNumber,ParticipantPasscode,Pin,Colour\na,b,c,d,e,f\n',
    );
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors[0]!.message).toMatch(/unknown columns Pin, Colour/);
    const twice = parseCsv('Identity,Provider,TollNumber,ParticipantPasscode,Identity\n');
    expect(twice.errors[0]!.message).toMatch(/Identity named twice/);
  });

  it('matches header names loosely and reads ; or tab separated files', () => {
    const loose = parseCsv(
      '\uFEFFidentity;provider;Toll Number;participant_passcode\na@contoso.com;Acme;+14255550100;"77"\n',
    );
    expect(loose.errors).toEqual([]);
    expect(loose.columns).toEqual(['Identity', 'Provider', 'TollNumber', 'ParticipantPasscode']);
    expect(loose.rows[0]!.cells).toMatchObject({
      Identity: 'a@contoso.com',
      ParticipantPasscode: '77',
    });
    const tabs = parseCsv('Identity\tProvider\tTollNumber\tParticipantPasscode\nx\ty\tz\t1\n');
    expect(tabs.rows[0]!.cells.TollNumber).toBe('z');
  });

  it('a header without rows is an error; a file that is not CSV is one error with its line', () => {
    expect(parseCsv(`${HEADER}\n`).errors[0]!.message).toMatch(/no users/);
    const broken = parseCsv(`${HEADER}\na,b,c,d,e,f,g,h,i\n"unclosed,x\n`);
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]!.message).toMatch(/not valid CSV/);
    expect(broken.errors[0]!.line).toBe(3);
  });
});

describe('provider CSV line numbers', () => {
  it('are physical lines: blank lines, multi-line quoted cells and CRLF are counted', () => {
    const text = [
      'Identity,Provider,TollNumber,ParticipantPasscode',
      'a@contoso.com,Acme,+14255550100,1',
      '',
      'b@contoso.com,"Acme',
      'Audio",+14255550100,2',
      ',,,',
      'c@contoso.com,Acme,+14255550100,3',
    ];
    for (const eol of ['\n', '\r\n']) {
      const parsed = parseCsv(text.join(eol) + eol);
      expect(parsed.errors).toEqual([]);
      expect(parsed.rows.map((r) => [r.line, r.cells.Identity])).toEqual([
        [2, 'a@contoso.com'],
        [4, 'b@contoso.com'],
        [7, 'c@contoso.com'],
      ]);
    }
  });

  it('a row with the wrong number of fields is reported on its line', () => {
    const parsed = parseCsv(
      'Identity,Provider,TollNumber,ParticipantPasscode\na@contoso.com,Acme,+14255550100,1,extra\nb@contoso.com,Acme,+14255550100,2\n',
    );
    expect(parsed.errors).toEqual([
      {
        line: 2,
        identity: 'a@contoso.com',
        message: expect.stringMatching(/has 5 fields but the header row has 4/),
      },
    ]);
    expect(parsed.rows).toHaveLength(2);
  });
});

describe('provider CSV rows', () => {
  const file = (...rows: string[]) =>
    parseCsv(
      ['Identity,Provider,Domain,TollNumber,TollFreeNumbers,ParticipantPasscode,Url', ...rows].join(
        '\n',
      ),
    );

  it('a good row plans the provider fields and lists what changes', async () => {
    const res = await checkRows(
      file(
        'AMOS.marble@contoso.com,Acme Audio,acme.example,+1 425 555 0199,+18005550100; +18885550100,0012345,https://acme.example/j',
      ),
      users(user('amos.marble@contoso.com')),
    );
    expect(res.errors).toEqual([]);
    expect(res.preview).toEqual([
      {
        line: 2,
        identity: 'amos.marble@contoso.com',
        displayName: 'amos.marble',
        changes: [
          { field: 'DialInProvider', old: 'None', new: 'ThirdParty' },
          { field: 'Provider', old: null, new: 'Acme Audio' },
          { field: 'Domain', old: null, new: 'acme.example' },
          { field: 'TollNumber', old: null, new: '+14255550199' },
          { field: 'TollFreeNumbers', old: [], new: ['+18005550100', '+18885550100'] },
          { field: 'ParticipantPasscode', old: null, new: '0012345' },
          { field: 'Url', old: null, new: 'https://acme.example/j' },
        ],
      },
    ]);
    expect(res.planned[0]!.userId).toBe('id-amos.marble@contoso.com');
  });

  it('a row matching what the user has changes nothing; an empty optional cell clears it', async () => {
    const acp = {
      name: 'Acme',
      domain: 'acme.example',
      toll_number: '+14255550199',
      toll_free_numbers: ['+18005550100'],
      participant_passcode: '42',
      url: 'https://acme.example',
    };
    const res = await checkRows(
      file(
        'a@contoso.com,Acme,acme.example,+14255550199,+18005550100,42,https://acme.example',
        'b@contoso.com,Acme,,+14255550199,,42,',
      ),
      users(
        user('a@contoso.com', { provider: 'ThirdParty', acp }),
        user('b@contoso.com', { provider: 'ThirdParty', acp }),
      ),
    );
    expect(res.errors).toEqual([]);
    expect(res.preview[0]!.changes).toEqual([]);
    expect(res.preview[1]!.changes).toEqual([
      { field: 'Domain', old: 'acme.example', new: null },
      { field: 'TollFreeNumbers', old: ['+18005550100'], new: [] },
      { field: 'Url', old: 'https://acme.example', new: null },
    ]);
  });

  it('a new user without toll-free numbers gets no TollFreeNumbers change', async () => {
    const res = await checkRows(
      file('a@contoso.com,Acme,,+14255550199,,42,'),
      users(user('a@contoso.com')),
    );
    expect(res.preview[0]!.changes.map((c) => c.field)).toEqual([
      'DialInProvider',
      'Provider',
      'TollNumber',
      'ParticipantPasscode',
    ]);
  });

  it('a column left out of the file keeps what the user has', async () => {
    const acp = {
      name: 'Acme',
      domain: 'acme.example',
      toll_number: '+14255550199',
      toll_free_numbers: ['+18005550100'],
      participant_passcode: '42',
      url: null,
    };
    const res = await checkRows(
      parseCsv(
        'Identity,Provider,TollNumber,ParticipantPasscode\na@contoso.com,Acme,+14255550199,43\n',
      ),
      users(user('a@contoso.com', { provider: 'ThirdParty', acp })),
    );
    expect(res.preview[0]!.changes).toEqual([
      { field: 'ParticipantPasscode', old: '42', new: '43' },
    ]);
  });

  it('reports every problem of every row with its line, column and identity', async () => {
    const res = await checkRows(
      file(
        'ghost@contoso.com,Acme,,+14255550199,,1,',
        'a@contoso.com,Acme,,+14255550199,,,',
        'b@contoso.com,,bad domain,12,+1800,12ab,ftp://x',
        'a@contoso.com,Acme,,+14255550199,,2,',
        'builtin@contoso.com,Acme,,+14255550199,,3,',
        'ok@contoso.com,Acme,,+14255550199,,4,',
      ),
      users(
        user('a@contoso.com'),
        user('b@contoso.com'),
        user('ok@contoso.com'),
        user('builtin@contoso.com', { provider: 'BuiltIn' }),
      ),
    );
    const brief = res.errors.map((e) => [e.line, e.column, e.identity]);
    expect(brief).toEqual([
      [2, 'Identity', 'ghost@contoso.com'],
      [3, 'ParticipantPasscode', 'a@contoso.com'],
      [4, 'Provider', 'b@contoso.com'],
      [4, 'Domain', 'b@contoso.com'],
      [4, 'TollNumber', 'b@contoso.com'],
      [4, 'TollFreeNumbers', 'b@contoso.com'],
      [4, 'ParticipantPasscode', 'b@contoso.com'],
      [4, 'Url', 'b@contoso.com'],
      [5, 'Identity', 'a@contoso.com'],
      [6, 'Identity', 'builtin@contoso.com'],
    ]);
    const msg = (line: number, column: string) =>
      res.errors.find((e) => e.line === line && e.column === column)!.message;
    expect(msg(2, 'Identity')).toMatch(/no user 'ghost@contoso.com' in this organization/);
    expect(msg(3, 'ParticipantPasscode')).toMatch(/is required/);
    expect(msg(4, 'Provider')).toMatch(/^Provider is required/);
    expect(msg(4, 'TollNumber')).toMatch(/must be a phone number/);
    expect(msg(4, 'TollFreeNumbers')).toMatch(/\+1800/);
    expect(msg(4, 'ParticipantPasscode')).toMatch(/1 to 20 digits/);
    expect(msg(4, 'Url')).toMatch(/http or https/);
    expect(msg(5, 'Identity')).toMatch(/appears again: it is already on line 3/);
    expect(msg(6, 'Identity')).toMatch(/built-in bridge.*Disable-CsOnlineDialInConferencingUser/);
    // Only the good row is planned; the file as a whole is refused by whoever applies it.
    expect(res.planned.map((p) => p.identity)).toEqual(['ok@contoso.com']);
  });

  it('reports progress in chunks up to the last row', async () => {
    const rows = Array.from(
      { length: 1001 },
      (_, i) => `u${i}@contoso.com,Acme,,+14255550199,,${i},`,
    );
    const seen: number[] = [];
    const list = Array.from({ length: 1001 }, (_, i) => user(`u${i}@contoso.com`));
    const res = await checkRows(file(...rows), users(...list), {
      chunk: 250,
      onProgress: (n) => void seen.push(n),
    });
    expect(res.errors).toEqual([]);
    expect(seen).toEqual([250, 500, 750, 1000, 1001]);
  });

  it('checkRow knows the identity by its SIP address too', () => {
    const row = {
      line: 9,
      cells: {
        Identity: 'sip:A@contoso.com',
        Provider: 'Acme',
        TollNumber: '+14255550199',
        ParticipantPasscode: '5',
      },
    };
    const r = checkRow(row, user('a@contoso.com'), new Map());
    expect(r.errors).toEqual([]);
    expect(r.planned!.identity).toBe('a@contoso.com');
  });
});
