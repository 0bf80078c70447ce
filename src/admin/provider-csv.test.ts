import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import {
  checkRow,
  checkRows,
  CSV_COLUMNS,
  EXPORT_CHUNK_USERS,
  exportCsv,
  PARSE_CHUNK_BYTES,
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
  it('writes the documented header and one row per user, toll-free numbers joined by ;', async () => {
    const csv = await exportCsv([
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
        // Made inert like every cell starting with +: the import takes the apostrophe off.
        TollNumber: "'+14255550199",
        TollFreeNumbers: "'+18005550100;+18885550100",
        ParticipantPasscode: '123456',
        Url: 'https://acme.example/join',
      },
    ]);
    // What the export writes, the import reads back.
    const back = await parseCsv(csv);
    expect(back.errors).toEqual([]);
    expect(back.columns).toEqual([...CSV_COLUMNS]);
    expect(back.rows.map((r) => r.line)).toEqual([2, 3]);
  });
  it('a display name a spreadsheet would run as a formula is made inert', async () => {
    const csv = await exportCsv([
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

  it('every column is made inert, and the import reads back exactly what was exported', async () => {
    const acp = {
      name: '=cmd|" /C calc"!A0',
      domain: 'acme.example',
      toll_number: '+14255550100',
      toll_free_numbers: ['+18005550100', '+18885550100'],
      participant_passcode: '0012',
      url: 'https://acme.example/join',
    };
    const exported = [
      {
        upn: '-a@contoso.com',
        displayName: "'=already quoted",
        email: '@SUM(1+1)@contoso.com',
        acp,
      },
      { upn: '+b@contoso.com', displayName: '\tTabbed', email: 'b@contoso.com', acp: null },
    ];
    const csv = await exportCsv(exported);
    const raw = parse(csv, { columns: true }) as Record<string, string>[];
    // Nothing a spreadsheet would run (or turn into a number) is left first in a cell.
    for (const row of raw) {
      for (const [column, cell] of Object.entries(row)) {
        expect(cell, column).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    expect(raw[0]).toMatchObject({
      Identity: "'-a@contoso.com",
      DisplayName: "''=already quoted",
      Email: "'@SUM(1+1)@contoso.com",
      Provider: `'=cmd|" /C calc"!A0`,
      TollNumber: "'+14255550100",
      TollFreeNumbers: "'+18005550100;+18885550100",
      ParticipantPasscode: '0012',
    });
    expect(raw[1]).toMatchObject({ Identity: "'+b@contoso.com", DisplayName: "'\tTabbed" });

    const back = await parseCsv(csv);
    expect(back.errors).toEqual([]);
    expect(back.rows.map((r) => r.cells)).toEqual([
      {
        Identity: '-a@contoso.com',
        DisplayName: "'=already quoted",
        Email: '@SUM(1+1)@contoso.com',
        Provider: '=cmd|" /C calc"!A0',
        Domain: 'acme.example',
        TollNumber: '+14255550100',
        TollFreeNumbers: '+18005550100;+18885550100',
        ParticipantPasscode: '0012',
        Url: 'https://acme.example/join',
      },
      {
        Identity: '+b@contoso.com',
        DisplayName: '\tTabbed',
        Email: 'b@contoso.com',
        Provider: '',
        Domain: '',
        TollNumber: '',
        TollFreeNumbers: '',
        ParticipantPasscode: '',
        Url: '',
      },
    ]);
    // Re-imported as it was exported, the toll number is the same E.164 number: no change.
    const res = await checkRows(
      { ...back, rows: back.rows.slice(0, 1) },
      users(user('-a@contoso.com', { provider: 'ThirdParty', acp })),
    );
    expect(res.errors).toEqual([]);
    expect(res.preview[0]!.changes).toEqual([]);
  });

  it('writes a large export in slices, letting the event loop run in between', async () => {
    const many = Array.from({ length: EXPORT_CHUNK_USERS * 2 + 1 }, (_, i) => ({
      upn: `u${i}@contoso.com`,
      displayName: `User ${i}`,
      email: `u${i}@contoso.com`,
      acp: null,
    }));
    const ran = { immediate: false };
    setImmediate(() => (ran.immediate = true));
    let immediateBeforeDone = false;
    const csv = await exportCsv(many).then((text) => {
      immediateBeforeDone = ran.immediate;
      return text;
    });
    // A callback queued before the export ran before it finished: the export yielded.
    expect(immediateBeforeDone).toBe(true);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(many.length);
    expect(rows.at(-1)!.Identity).toBe(`u${many.length - 1}@contoso.com`);
    expect(csv.split('\r\n')[0]).toBe(HEADER);
    expect(csv.match(/^Identity,/gm)).toHaveLength(1);
  });
});

describe('provider CSV header', () => {
  it('needs a header row naming the required columns, and nothing unknown', async () => {
    expect((await parseCsv('')).errors).toEqual([
      { line: 1, message: expect.stringMatching(/empty: the first line must be the header row/) },
    ]);
    const missing = await parseCsv(
      'Identity,Provider,TollNumber\na@contoso.com,Acme,+14255550100\n',
    );
    expect(missing.errors).toHaveLength(1);
    expect(missing.errors[0]!.line).toBe(1);
    expect(missing.errors[0]!.message).toMatch(/missing required column ParticipantPasscode/);
    expect(missing.rows).toEqual([]);
    const unknown = await parseCsv(
      'Identity,Provider,TollNumber,ParticipantPasscode,Pin,Colour\na,b,c,d,e,f\n',
    );
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors[0]!.message).toMatch(/unknown columns Pin, Colour/);
    const twice = await parseCsv('Identity,Provider,TollNumber,ParticipantPasscode,Identity\n');
    expect(twice.errors[0]!.message).toMatch(/Identity named twice/);
  });

  it('matches header names loosely and reads ; or tab separated files', async () => {
    const loose = await parseCsv(
      '\uFEFFidentity;provider;Toll Number;participant_passcode\na@contoso.com;Acme;+14255550100;"77"\n',
    );
    expect(loose.errors).toEqual([]);
    expect(loose.columns).toEqual(['Identity', 'Provider', 'TollNumber', 'ParticipantPasscode']);
    expect(loose.rows[0]!.cells).toMatchObject({
      Identity: 'a@contoso.com',
      ParticipantPasscode: '77',
    });
    const tabs = await parseCsv(
      'Identity\tProvider\tTollNumber\tParticipantPasscode\nx\ty\tz\t1\n',
    );
    expect(tabs.rows[0]!.cells.TollNumber).toBe('z');
  });

  it('a header without rows is an error; a file that is not CSV is one error with its line', async () => {
    expect((await parseCsv(`${HEADER}\n`)).errors[0]!.message).toMatch(/no users/);
    const broken = await parseCsv(`${HEADER}\na,b,c,d,e,f,g,h,i\n"unclosed,x\n`);
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]!.message).toMatch(/not valid CSV/);
    expect(broken.errors[0]!.line).toBe(3);
  });
});

describe('provider CSV line numbers', () => {
  it('are physical lines: blank lines, multi-line quoted cells and CRLF are counted', async () => {
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
      const parsed = await parseCsv(text.join(eol) + eol);
      expect(parsed.errors).toEqual([]);
      expect(parsed.rows.map((r) => [r.line, r.cells.Identity])).toEqual([
        [2, 'a@contoso.com'],
        [4, 'b@contoso.com'],
        [7, 'c@contoso.com'],
      ]);
    }
  });

  it('whitespace-only lines (spaces, tabs) are skipped but counted, in LF and CRLF files', async () => {
    const text = [
      'Identity,Provider,TollNumber,ParticipantPasscode',
      ' ',
      'a@contoso.com,Acme,+14255550100,1',
      '\t',
      '  \t ',
      'b@contoso.com,Acme,+14255550100,2',
      ' ',
      'c@contoso.com,Acme,,3',
    ];
    for (const eol of ['\n', '\r\n']) {
      const parsed = await parseCsv(text.join(eol) + eol);
      expect(parsed.errors).toEqual([]);
      expect(parsed.rows.map((r) => [r.line, r.cells.Identity])).toEqual([
        [3, 'a@contoso.com'],
        [6, 'b@contoso.com'],
        [8, 'c@contoso.com'],
      ]);
      const res = await checkRows(parsed, users(user('a@contoso.com'), user('c@contoso.com')));
      expect(res.errors.map((e) => [e.line, e.column])).toEqual([
        [6, 'Identity'],
        [8, 'TollNumber'],
      ]);
      // Before the header too.
      const before = await parseCsv([' ', '\t', ...text].join(eol));
      expect(before.rows.map((r) => r.line)).toEqual([5, 8, 10]);
    }
  });

  it('a tab-separated file: a line of one tab is a row of empty cells, skipped but counted', async () => {
    const parsed = await parseCsv(
      'Identity\tProvider\tTollNumber\tParticipantPasscode\n\t\t\t\n \na@contoso.com\tAcme\t+14255550100\t1\n',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => [r.line, r.cells.Identity])).toEqual([[4, 'a@contoso.com']]);
  });

  it('a large file is read a slice at a time, letting the event loop run in between', async () => {
    const lines = ['Identity,Provider,TollNumber,ParticipantPasscode'];
    for (let i = 0; i < 20_000; i++) lines.push(`u${i}@contoso.com,Acme,+14255550100,${i}`);
    const text = lines.join('\r\n');
    expect(text.length).toBeGreaterThan(PARSE_CHUNK_BYTES * 10);
    const ran = { immediate: false };
    setImmediate(() => (ran.immediate = true));
    let immediateBeforeDone = false;
    const parsed = await parseCsv(text).then((p) => {
      immediateBeforeDone = ran.immediate;
      return p;
    });
    // A callback queued before the parse ran before it finished: the parse yielded.
    expect(immediateBeforeDone).toBe(true);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toHaveLength(20_000);
    expect(parsed.rows[0]).toEqual({
      line: 2,
      cells: {
        Identity: 'u0@contoso.com',
        Provider: 'Acme',
        TollNumber: '+14255550100',
        ParticipantPasscode: '0',
      },
    });
    expect(parsed.rows.at(-1)!.line).toBe(20_001);
    expect(
      parsed.rows.every((r, i) => r.line === i + 2 && r.cells.ParticipantPasscode === String(i)),
    ).toBe(true);

    // Checking the rows yields after every chunk too.
    const list = Array.from({ length: 20_000 }, (_, i) => user(`u${i}@contoso.com`));
    let turns = 0;
    const counting = { on: true };
    const count = () => {
      if (!counting.on) return;
      turns++;
      setImmediate(count);
    };
    setImmediate(count);
    const res = await checkRows(parsed, users(...list), { chunk: 250 });
    const turnsDuringCheck = turns;
    counting.on = false;
    expect(res.errors).toEqual([]);
    expect(res.planned).toHaveLength(20_000);
    // 80 chunks: the loop turned between them (not one run to the end).
    expect(turnsDuringCheck).toBeGreaterThanOrEqual(20_000 / 250 - 1);
  });

  it('a row with the wrong number of fields is reported on its line', async () => {
    const parsed = await parseCsv(
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
      await file(
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
      await file(
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
      await file('a@contoso.com,Acme,,+14255550199,,42,'),
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
      await parseCsv(
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
      await file(
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
    const res = await checkRows(await file(...rows), users(...list), {
      chunk: 250,
      onProgress: (n) => void seen.push(n),
    });
    expect(res.errors).toEqual([]);
    expect(seen).toEqual([250, 500, 750, 1000, 1001]);
  });

  it('checkRow knows the identity by its SIP address too', async () => {
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
