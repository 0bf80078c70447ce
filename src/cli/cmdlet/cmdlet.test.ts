import { describe, expect, it } from 'vitest';
import { bind } from './bind.ts';
import { closest } from './suggest.ts';
import { tokenize, tokenizeArgv } from './tokenize.ts';
import type { Token } from './tokenize.ts';
import { CmdletError } from './types.ts';
import type { CmdletDef } from './types.ts';

const catalog: CmdletDef[] = [
  {
    name: 'Get-CsOnlineDialInConferencingUser',
    params: [
      { name: 'Identity', type: 'string', position: 0 },
      { name: 'ResultSize', type: 'int' },
    ],
  },
  {
    name: 'Set-CsOnlineDialInConferencingUser',
    params: [
      { name: 'Identity', type: 'string', position: 0 },
      { name: 'ConferenceId', type: 'string' },
      { name: 'ResetLeaderPin', type: 'switch' },
      { name: 'SendEmail', type: 'switch' },
      { name: 'SendEmailToAddress', type: 'string' },
      { name: 'ServiceNumber', type: 'string' },
      { name: 'AllowTollFreeDialIn', type: 'bool' },
    ],
  },
  {
    name: 'Set-CsOnlineDialInConferencingTenantSetting',
    aliases: ['Set-CsOnlineDialInConferencingTenantSettings'],
    params: [
      { name: 'Identity', type: 'string' },
      { name: 'SendEmailFromOverride', type: 'bool', aliases: ['SendEmailOverride'] },
      { name: 'SendEmailFromAddress', type: 'string' },
      { name: 'SendEmailFromDisplayName', type: 'string' },
      { name: 'PinLength', type: 'int' },
      { name: 'EnableEntryExitNotifications', type: 'bool' },
    ],
  },
  {
    name: 'Set-CsOnlineDialInConferencingServiceNumber',
    params: [
      { name: 'Identity', type: 'string', position: 0 },
      { name: 'PrimaryLanguage', type: 'string' },
      { name: 'SecondaryLanguages', type: 'string[]' },
      { name: 'RestoreDefaultLanguages', type: 'switch' },
    ],
  },
  {
    // Not a Teams cmdlet: exercises positions, aliases and prefixes.
    name: 'New-Widget',
    aliases: ['nw'],
    params: [
      { name: 'Name', type: 'string', position: 0 },
      { name: 'Count', type: 'int', position: 1 },
      { name: 'Tags', type: 'string[]', position: 2 },
      { name: 'NameSuffix', type: 'string' },
      { name: 'Description', type: 'string', aliases: ['Desc'] },
      { name: 'Label', type: 'string', aliases: ['Tag'] },
      { name: 'Enabled', type: 'bool' },
      { name: 'Force', type: 'switch' },
    ],
  },
];

function fail(line: string | string[]): CmdletError {
  try {
    bind(line, catalog);
  } catch (e) {
    if (e instanceof CmdletError) return e;
    throw e;
  }
  throw new Error(`expected a CmdletError for ${JSON.stringify(line)}`);
}

/** Tokens reduced to what the tests care about. */
function shape(tokens: Token[]): unknown[] {
  const value = (t: Extract<Token, { kind: 'value' }>) =>
    t.items.length === 1 ? t.items[0]?.text : t.items.map((i) => i.text);
  return tokens.map((t) =>
    t.kind === 'value'
      ? value(t)
      : t.inline
        ? { param: t.name, inline: value(t.inline) }
        : { param: t.name, ...(t.colon ? { colon: true } : {}) },
  );
}

describe('closest', () => {
  it('finds a near miss, case-insensitively, keeping the candidate spelling', () => {
    expect(closest('PinLenght', ['Identity', 'PinLength'])).toBe('PinLength');
    expect(closest('pinlength', ['PINLENGTH'])).toBe('PINLENGTH');
  });

  it('returns undefined when nothing is reasonably close', () => {
    expect(closest('xyz', ['PinLength', 'Identity'])).toBeUndefined();
    expect(closest('Foo', [])).toBeUndefined();
    expect(closest('', ['Identity'])).toBeUndefined();
  });

  it('allows max(3, 40% of the length) edits', () => {
    expect(closest('abcd', ['wxyd'])).toBe('wxyd'); // 3 edits, short word: floor of 3
    expect(closest('abcd', ['wxyz'])).toBeUndefined(); // 4 edits
    const input = 'abcdefghijklmnopqrst'; // 20 chars: up to 8 edits
    expect(closest(input, ['XXXXXXXXijklmnopqrst'])).toBe('XXXXXXXXijklmnopqrst');
    expect(closest(input, ['XXXXXXXXXjklmnopqrst'])).toBeUndefined();
  });

  it('prefers a candidate containing the input (or contained in it), however far', () => {
    expect(closest('Email', ['Emit', 'SendEmailToAddress'])).toBe('SendEmailToAddress');
    expect(closest('PinLengthValue', ['PinLenghtValue', 'PinLength'])).toBe('PinLength');
    // Among containing candidates the nearer one wins.
    expect(closest('PinLength', ['PinLengthValues', 'PinLengthX'])).toBe('PinLengthX');
  });

  it('ignores containment for fragments too short to mean anything', () => {
    expect(closest('id', ['Identity'])).toBeUndefined();
  });

  it('breaks ties by candidate order', () => {
    expect(closest('cat', ['bat', 'hat'])).toBe('bat');
  });
});

describe('tokenize', () => {
  it('splits on any run of whitespace', () => {
    expect(shape(tokenize('  Get-X   -Identity\tamos \n bob '))).toEqual([
      'Get-X',
      { param: 'Identity' },
      'amos',
      'bob',
    ]);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   ')).toEqual([]);
  });

  it('reads double-quoted strings with backtick and doubled-quote escapes', () => {
    expect(shape(tokenize('x "Amos Marble" "say `"hi`"" "a""b" "tab`there"'))).toEqual([
      'x',
      'Amos Marble',
      'say "hi"',
      'a"b',
      'tab\there',
    ]);
  });

  it('reads single-quoted strings literally, with doubled quotes', () => {
    expect(shape(tokenize("x 'O''Brien' 'a`nb' ''"))).toEqual(['x', "O'Brien", 'a`nb', '']);
  });

  it('joins quoted and unquoted runs into one word', () => {
    expect(shape(tokenize('x ab"c d"e'))).toEqual(['x', 'abc de']);
  });

  it('accepts curly quotes pasted from documents', () => {
    expect(
      shape(tokenize('x \u201CAmos Marble\u201D \u2018it\u2019\u2019s\u2019 "mixed\u201D')),
    ).toEqual(['x', 'Amos Marble', 'it\u2019s', 'mixed']);
  });

  it('treats a quoted token as a value even when it starts with a dash', () => {
    const [, token] = tokenize('x "-Identity"');
    expect(token).toEqual({
      kind: 'value',
      items: [{ text: '-Identity', quoted: true }],
      source: 'line',
      text: '"-Identity"',
    });
    expect(shape(tokenize("x '-y' `-z"))).toEqual(['x', '-y', '-z']);
  });

  it('rejects an unterminated string', () => {
    expect(() => tokenize('x "Amos Marble')).toThrow(/Missing closing double quote.*character 3/);
    expect(() => tokenize("x 'Amos")).toThrow(/Missing closing single quote/);
  });

  it('joins lines ending in a backtick', () => {
    const line = 'Set-X -Identity amos `\n  -ConferenceId 1 `\r\n -SendEmail` \n-Force';
    expect(shape(tokenize(line))).toEqual([
      'Set-X',
      { param: 'Identity' },
      'amos',
      { param: 'ConferenceId' },
      '1',
      { param: 'SendEmail' },
      { param: 'Force' },
    ]);
  });

  it('skips comments that start a token', () => {
    expect(shape(tokenize('x -a 1 # -b 2\n-c a#b'))).toEqual([
      'x',
      { param: 'a' },
      '1',
      { param: 'c' },
      'a#b',
    ]);
  });

  it('treats en dash, em dash and horizontal bar as a dash', () => {
    expect(shape(tokenize('x \u2013a \u2014b \u2015c'))).toEqual([
      'x',
      { param: 'a' },
      { param: 'b' },
      { param: 'c' },
    ]);
  });

  it('reads negative numbers and a lone dash as values', () => {
    expect(shape(tokenize('x -5 -1.5 \u20137 -.5 - -5x'))).toEqual([
      'x',
      '-5',
      '-1.5',
      '-7',
      '-.5',
      '-',
      { param: '5x' },
    ]);
  });

  it('reads -Name:value, with the value quoted or not', () => {
    expect(shape(tokenize('x -a:1 -b:$false -c:"Amos Marble" -d:sip:u@x -e: 5 -f:""'))).toEqual([
      'x',
      { param: 'a', inline: '1' },
      { param: 'b', inline: '$false' },
      { param: 'c', inline: 'Amos Marble' },
      { param: 'd', inline: 'sip:u@x' },
      { param: 'e', colon: true },
      '5',
      { param: 'f', inline: '' },
    ]);
  });

  it('binds comma-separated words into one list, with or without spaces', () => {
    expect(shape(tokenize('x a,b c, d e ,f "g h","i" -n:j,k'))).toEqual([
      'x',
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g h', 'i'],
      { param: 'n', inline: ['j', 'k'] },
    ]);
    expect(shape(tokenize('x a`,b'))).toEqual(['x', 'a,b']);
  });

  it('rejects dangling commas', () => {
    expect(() => tokenize('x a,')).toThrow(/Missing list element after ','/);
    expect(() => tokenize('x a,,b')).toThrow(/Missing list element/);
    expect(() => tokenize(',a')).toThrow(/Unexpected ','.*character 1/);
    expect(shape(tokenize('x ,a'))).toEqual([['x', 'a']]); // a list, as in PowerShell
    expect(() => tokenize('x -a ,b')).toThrow(/Unexpected ','/);
  });

  it('ends parameters at --', () => {
    expect(shape(tokenize('x -a -- -b "--"'))).toEqual(['x', { param: 'a' }, '-b', '--']);
  });
});

describe('tokenizeArgv', () => {
  it('keeps each element whole and never splits one containing blanks', () => {
    const tokens = tokenizeArgv(['x', '-Identity', 'Amos Marble', '-Name', 'a, b']);
    expect(shape(tokens)).toEqual([
      'x',
      { param: 'Identity' },
      'Amos Marble',
      { param: 'Name' },
      'a, b',
    ]);
    expect(tokens[2]).toMatchObject({ items: [{ quoted: true }] });
  });

  it('still interprets dashes, numbers and -Name:value', () => {
    expect(
      shape(tokenizeArgv(['x', '\u2013a', '-5', '-b:$false', '-c:Amos Marble', '-d:', '1', '-'])),
    ).toEqual([
      'x',
      { param: 'a' },
      '-5',
      { param: 'b', inline: '$false' },
      { param: 'c', inline: 'Amos Marble' },
      { param: 'd', colon: true },
      '1',
      '-',
    ]);
  });

  it('splits commas and rejoins lists the shell split after a comma', () => {
    expect(shape(tokenizeArgv(['x', 'a,b']))).toEqual(['x', ['a', 'b']]);
    expect(shape(tokenizeArgv(['x', 'a,', 'b']))).toEqual(['x', ['a', 'b']]);
    expect(shape(tokenizeArgv(['x', 'a', ',b']))).toEqual(['x', ['a', 'b']]);
    expect(shape(tokenizeArgv(['x', 'a', ',', 'b,', 'c']))).toEqual(['x', ['a', 'b', 'c']]);
    expect(shape(tokenizeArgv(['x', '-n:a,', 'b']))).toEqual([
      'x',
      { param: 'n', inline: ['a', 'b'] },
    ]);
  });

  it('ends parameters at --', () => {
    expect(shape(tokenizeArgv(['x', '--', '-b']))).toEqual(['x', '-b']);
  });
});

describe('bind: lines from Microsoft docs', () => {
  it('Set-CsOnlineDialInConferencingUser -Identity "Amos Marble"  -ConferenceId 8271964', () => {
    const bound = bind(
      'Set-CsOnlineDialInConferencingUser -Identity "Amos Marble"  -ConferenceId 8271964',
      catalog,
    );
    expect(bound.cmdlet.name).toBe('Set-CsOnlineDialInConferencingUser');
    expect(bound.params).toEqual({ Identity: 'Amos Marble', ConferenceId: '8271964' });
  });

  it('Set-CsOnlineDialInConferencingUser -id amos.marble@contoso.com -ResetLeaderPIN', () => {
    const bound = bind(
      'Set-CsOnlineDialInConferencingUser -id amos.marble@contoso.com -ResetLeaderPIN',
      catalog,
    );
    expect(bound.params).toEqual({ Identity: 'amos.marble@contoso.com', ResetLeaderPin: true });
  });

  it('suggests -Identity for a user pasted as a parameter (with an en dash later on)', () => {
    const e = fail(
      'Set-CsOnlineDialInConferencingUser -amos.marble \u2013ResetLeaderPIN -SendEmail -SendEmailToAddress "u@hotmail.com"',
    );
    expect(e.message).toBe(
      "Unknown parameter '-amos.marble' for Set-CsOnlineDialInConferencingUser. Did you mean -Identity amos.marble?",
    );
    expect(e.suggestion).toBe('-Identity amos.marble');
  });

  it('Get-CsCsOnlineDialInConfencingUser is an unknown cmdlet with a suggestion', () => {
    const e = fail('Get-CsCsOnlineDialInConfencingUser');
    expect(e.message).toBe(
      "Unknown cmdlet 'Get-CsCsOnlineDialInConfencingUser'. Did you mean Get-CsOnlineDialInConferencingUser?",
    );
    expect(e.suggestion).toBe('Get-CsOnlineDialInConferencingUser');
  });

  it('Set-CsOnlineDialInConferencingTenantSetting with an aliased parameter', () => {
    const bound = bind(
      'Set-CsOnlineDialInConferencingTenantSetting -SendEmailOverride $true -SendEmailFromAddress amos.marble@contoso.com -SendEmailFromDisplayName "Amos Marble"',
      catalog,
    );
    expect(bound.cmdlet.name).toBe('Set-CsOnlineDialInConferencingTenantSetting');
    expect(bound.params).toEqual({
      SendEmailFromOverride: true,
      SendEmailFromAddress: 'amos.marble@contoso.com',
      SendEmailFromDisplayName: 'Amos Marble',
    });
  });

  it('Set-CsOnlineDialInConferencingTenantSettings (cmdlet alias) -PinLength 7', () => {
    const bound = bind('Set-CsOnlineDialInConferencingTenantSettings -PinLength 7', catalog);
    expect(bound.cmdlet.name).toBe('Set-CsOnlineDialInConferencingTenantSetting');
    expect(bound.params).toEqual({ PinLength: 7 });
  });

  it('Set-CsOnlineDialInConferencingServiceNumber with a language list', () => {
    const bound = bind(
      'Set-CsOnlineDialInConferencingServiceNumber -Identity +14255550100 -PrimaryLanguage en-US -SecondaryLanguages fr-FR,de-DE',
      catalog,
    );
    expect(bound.params).toEqual({
      Identity: '+14255550100',
      PrimaryLanguage: 'en-US',
      SecondaryLanguages: ['fr-FR', 'de-DE'],
    });
  });

  it('gives the same result for the same lines as argv', () => {
    expect(
      bind(
        [
          'Set-CsOnlineDialInConferencingUser',
          '-Identity',
          'Amos Marble',
          '-ConferenceId',
          '8271964',
        ],
        catalog,
      ).params,
    ).toEqual({ Identity: 'Amos Marble', ConferenceId: '8271964' });
    expect(
      bind(
        [
          'Set-CsOnlineDialInConferencingServiceNumber',
          '+14255550100',
          '-SecondaryLanguages',
          'fr-FR,de-DE',
        ],
        catalog,
      ).params,
    ).toEqual({ Identity: '+14255550100', SecondaryLanguages: ['fr-FR', 'de-DE'] });
    expect(
      bind(['Set-CsOnlineDialInConferencingTenantSettings', '-SendEmailOverride', '$true'], catalog)
        .params,
    ).toEqual({ SendEmailFromOverride: true });
    expect(
      fail(['Set-CsOnlineDialInConferencingUser', '-amos.marble', '\u2013ResetLeaderPIN'])
        .suggestion,
    ).toBe('-Identity amos.marble');
  });
});

describe('bind: cmdlet names', () => {
  it('matches names and aliases case-insensitively', () => {
    expect(bind('get-csonlinedialinconferencinguser', catalog).cmdlet.name).toBe(
      'Get-CsOnlineDialInConferencingUser',
    );
    expect(bind('NW', catalog).cmdlet.name).toBe('New-Widget');
  });

  it('rejects empty input', () => {
    expect(fail('').message).toMatch(/No command given/);
    expect(fail('  # just a comment').message).toMatch(/No command given/);
    expect(fail([]).message).toMatch(/No command given/);
  });

  it('rejects a parameter in place of the cmdlet name', () => {
    expect(fail('-Identity amos').message).toMatch(/Expected a cmdlet name first/);
  });

  it('reports an unknown cmdlet without a suggestion when nothing is close', () => {
    const e = fail('Remove-Everything');
    expect(e.message).toBe("Unknown cmdlet 'Remove-Everything'.");
    expect(e.suggestion).toBeUndefined();
  });
});

describe('bind: parameter names', () => {
  it('matches case-insensitively and by unambiguous prefix of a name or alias', () => {
    expect(bind('New-Widget -NAME a -cou 2 -desc d', catalog).params).toEqual({
      Name: 'a',
      Count: 2,
      Description: 'd',
    });
    expect(
      bind('Set-CsOnlineDialInConferencingTenantSetting -SendEmailO 1', catalog).params,
    ).toEqual({ SendEmailFromOverride: true });
  });

  it('lets an exact name or alias win over a longer name it is a prefix of', () => {
    expect(bind('New-Widget -Name a -Tag t', catalog).params).toEqual({ Name: 'a', Label: 't' });
    expect(bind('Set-CsOnlineDialInConferencingUser -SendEmail', catalog).params).toEqual({
      SendEmail: true,
    });
  });

  it('is not ambiguous when the name and an alias of one parameter both match', () => {
    expect(bind('New-Widget -De x', catalog).params).toEqual({ Description: 'x' });
  });

  it('rejects an ambiguous prefix, naming the candidates', () => {
    const e = fail('Set-CsOnlineDialInConferencingUser -Send');
    expect(e.message).toBe(
      "Parameter '-Send' is ambiguous for Set-CsOnlineDialInConferencingUser: it could be -SendEmail, -SendEmailToAddress.",
    );
    expect(fail('Set-CsOnlineDialInConferencingTenantSetting -SendEmailFrom x').message).toContain(
      '-SendEmailFromOverride, -SendEmailFromAddress, -SendEmailFromDisplayName',
    );
  });

  it('rejects an unknown parameter with the closest canonical name', () => {
    const e = fail('Set-CsOnlineDialInConferencingTenantSetting -PinLenght 7');
    expect(e.message).toBe(
      "Unknown parameter '-PinLenght' for Set-CsOnlineDialInConferencingTenantSetting. Did you mean -PinLength?",
    );
    expect(e.suggestion).toBe('-PinLength');
    // An alias that is closest is reported by its parameter's canonical name.
    expect(
      fail('Set-CsOnlineDialInConferencingTenantSetting -SendEmailOveride $true').suggestion,
    ).toBe('-SendEmailFromOverride');
    expect(fail('New-Widget --Name x').suggestion).toBe('-Name');
    expect(fail('New-Widget -Qwertyuiop x').message).toBe(
      "Unknown parameter '-Qwertyuiop' for New-Widget.",
    );
  });

  it('does not suggest -Identity when it was already given, or the cmdlet has none', () => {
    const suggestion = (line: string) => fail(line).suggestion ?? '';
    expect(suggestion('Set-CsOnlineDialInConferencingUser -Identity x -amos.marble')).not.toContain(
      '-Identity',
    );
    expect(suggestion('Set-CsOnlineDialInConferencingUser -amos.marble -id x')).not.toContain(
      '-Identity',
    );
    expect(suggestion('New-Widget -a@b.c')).not.toContain('-Identity');
    expect(fail('Get-CsOnlineDialInConferencingUser -amos@contoso.com').suggestion).toBe(
      '-Identity amos@contoso.com',
    );
  });

  it('rejects a parameter given twice, even by different spellings', () => {
    const e = fail('Set-CsOnlineDialInConferencingUser -Identity a -id b');
    expect(e.message).toBe('Parameter -Identity was given more than once.');
    expect(e.field).toBe('Identity');
    expect(fail('New-Widget -Force -force').field).toBe('Force');
  });
});

describe('bind: values', () => {
  it('reads $true, $false and $null case-insensitively', () => {
    expect(bind('New-Widget -Enabled $TRUE', catalog).params).toEqual({ Enabled: true });
    expect(bind('New-Widget -Enabled $False', catalog).params).toEqual({ Enabled: false });
    expect(bind('New-Widget -Name $null -Count $NULL -Tags $null', catalog).params).toEqual({
      Name: null,
      Count: null,
      Tags: null,
    });
  });

  it('accepts true/false/1/0 for bool, quoted or not', () => {
    for (const [text, value] of [
      ['true', true],
      ['FALSE', false],
      ['1', true],
      ['0', false],
      ['"$true"', true],
      ["'False'", false],
    ] as const) {
      expect(bind(`New-Widget -Enabled ${text}`, catalog).params).toEqual({ Enabled: value });
    }
    expect(bind('New-Widget -Enabled:$false', catalog).params).toEqual({ Enabled: false });
  });

  it('rejects anything else for bool, including the docs notation $true|$false', () => {
    const e = fail('Set-CsOnlineDialInConferencingTenantSetting -SendEmailOverride $true|$false');
    expect(e.message).toBe("-SendEmailFromOverride must be $true or $false (got '$true|$false').");
    expect(e.field).toBe('SendEmailFromOverride');
    expect(fail('New-Widget -Enabled yes').message).toMatch(/-Enabled must be \$true or \$false/);
    expect(fail('New-Widget -Enabled $null').message).toMatch(/must be \$true or \$false/);
  });

  it('sets a switch without consuming the next word', () => {
    expect(bind('New-Widget -Force thing', catalog).params).toEqual({ Force: true, Name: 'thing' });
  });

  it('turns a switch off with -Switch:$false and accepts -Switch: value', () => {
    expect(bind('New-Widget -Force:$false', catalog).params).toEqual({ Force: false });
    expect(bind('New-Widget -Force:$true', catalog).params).toEqual({ Force: true });
    expect(bind('New-Widget -Force: $false', catalog).params).toEqual({ Force: false });
    expect(fail('New-Widget -Force:maybe').message).toMatch(/-Force must be \$true or \$false/);
  });

  it('explains that a switch takes no value when its word is left over', () => {
    const e = fail('Set-CsOnlineDialInConferencingUser amos -ResetLeaderPin $false');
    expect(e.message).toBe(
      "Unexpected argument '$false'. -ResetLeaderPin is a switch and takes no value; write -ResetLeaderPin:$false to turn it off.",
    );
    expect(e.field).toBe('ResetLeaderPin');
  });

  it('reads int values, including negative numbers', () => {
    expect(bind('New-Widget -Count 42', catalog).params).toEqual({ Count: 42 });
    expect(bind('New-Widget -Count -5', catalog).params).toEqual({ Count: -5 });
    expect(bind('New-Widget -Count \u20135', catalog).params).toEqual({ Count: -5 });
    expect(bind('New-Widget -Count:"7"', catalog).params).toEqual({ Count: 7 });
    expect(bind(['New-Widget', '-Count', '-5'], catalog).params).toEqual({ Count: -5 });
  });

  it('rejects anything else for int, naming the parameter', () => {
    for (const text of ['abc', '1.5', '-1.5', '$true', '12345678901234567890', '+5', '"7 "']) {
      const e = fail(`Set-CsOnlineDialInConferencingTenantSetting -PinLength ${text}`);
      expect(e.message).toMatch(/^-PinLength must be an integer \(got /);
      expect(e.field).toBe('PinLength');
    }
  });

  it('keeps string values as typed, numbers included', () => {
    expect(bind('New-Widget -Name 007 -Description -1.5', catalog).params).toEqual({
      Name: '007',
      Description: '-1.5',
    });
    expect(bind('New-Widget -Name ""', catalog).params).toEqual({ Name: '' });
    expect(bind('New-Widget -Name "$true"', catalog).params).toEqual({ Name: '$true' });
  });

  it('rejects a boolean for a string parameter', () => {
    const e = fail('New-Widget -Name $true');
    expect(e.message).toBe('-Name must be a string, not $true.');
    expect(e.field).toBe('Name');
  });

  it('rejects variables in a pasted line, but not from argv', () => {
    const e = fail('Set-CsOnlineDialInConferencingUser -Identity $user');
    expect(e.message).toMatch(/-Identity: variables such as '\$user' are not supported/);
    expect(e.field).toBe('Identity');
    expect(bind(['New-Widget', '-Name', '$user'], catalog).params).toEqual({ Name: '$user' });
  });

  it('reads string[] lists in every spelling', () => {
    const langs = (line: string | string[]) => bind(line, catalog).params['SecondaryLanguages'];
    const cmd = 'Set-CsOnlineDialInConferencingServiceNumber';
    expect(langs(`${cmd} -SecondaryLanguages fr-FR,de-DE`)).toEqual(['fr-FR', 'de-DE']);
    expect(langs(`${cmd} -SecondaryLanguages "fr-FR","de-DE"`)).toEqual(['fr-FR', 'de-DE']);
    expect(langs(`${cmd} -SecondaryLanguages 'fr-FR', 'de-DE' , it-IT`)).toEqual([
      'fr-FR',
      'de-DE',
      'it-IT',
    ]);
    expect(langs(`${cmd} -SecondaryLanguages:fr-FR,de-DE`)).toEqual(['fr-FR', 'de-DE']);
    expect(langs(`${cmd} -SecondaryLanguages fr-FR`)).toEqual(['fr-FR']);
    expect(langs([cmd, '-SecondaryLanguages', 'fr-FR,de-DE'])).toEqual(['fr-FR', 'de-DE']);
    expect(langs([cmd, '-SecondaryLanguages', 'fr-FR,', 'de-DE'])).toEqual(['fr-FR', 'de-DE']);
    expect(langs([cmd, '-SecondaryLanguages:fr-FR,de-DE'])).toEqual(['fr-FR', 'de-DE']);
    expect(langs([cmd, '-SecondaryLanguages', 'Klingon, Imperial'])).toEqual(['Klingon, Imperial']);
  });

  it('rejects booleans and empty elements in a string[] list', () => {
    const cmd = 'Set-CsOnlineDialInConferencingServiceNumber';
    expect(fail(`${cmd} -SecondaryLanguages en-US,$true`).message).toBe(
      '-SecondaryLanguages must be a list of strings, not $true.',
    );
    const e = fail([cmd, '-SecondaryLanguages', 'en-US,', '-PrimaryLanguage', 'fr-FR']);
    expect(e.message).toMatch(/-SecondaryLanguages has an empty element/);
    expect(e.field).toBe('SecondaryLanguages');
  });

  it('rejects a comma list for a string, int or bool parameter on a line', () => {
    for (const [param, field] of [
      ['-ConferenceId 1,2', 'ConferenceId'],
      ['-Identity "a", "b"', 'Identity'],
      ['-AllowTollFreeDialIn $true,$false', 'AllowTollFreeDialIn'],
    ]) {
      const e = fail(`Set-CsOnlineDialInConferencingUser ${param}`);
      expect(e.message).toMatch(new RegExp(`^-${field} takes a single value, not a list`));
      expect(e.field).toBe(field);
    }
    expect(fail('New-Widget -Count 1,2').field).toBe('Count');
  });

  it('takes a comma in an argv element literally for a scalar parameter', () => {
    // From argv only string[] parameters split on commas: the shell did the quoting.
    expect(bind(['New-Widget', '-Name', 'Smith,Jr'], catalog).params).toEqual({ Name: 'Smith,Jr' });
    expect(fail(['New-Widget', '-Count', '1,2']).message).toMatch(/-Count must be an integer/);
  });

  it('reads argv elements as single values, whatever they contain', () => {
    expect(
      bind(['New-Widget', '-Name', '-not a param', '-Description:Amos Marble'], catalog).params,
    ).toEqual({ Name: '-not a param', Description: 'Amos Marble' });
    expect(bind(['New-Widget', '-Enabled:$false', '-Force:$false'], catalog).params).toEqual({
      Enabled: false,
      Force: false,
    });
    expect(bind(['New-Widget', '-Name', '# not a comment'], catalog).params).toEqual({
      Name: '# not a comment',
    });
  });

  it('accepts a value that looks like a parameter when quoted or after --', () => {
    expect(bind('New-Widget -Name "-Force"', catalog).params).toEqual({ Name: '-Force' });
    expect(bind('New-Widget -Force -- -Enabled', catalog).params).toEqual({
      Force: true,
      Name: '-Enabled',
    });
  });
});

describe('bind: positional values and missing values', () => {
  it('fills positional slots in position order', () => {
    expect(bind('New-Widget gizmo 3 red,blue', catalog).params).toEqual({
      Name: 'gizmo',
      Count: 3,
      Tags: ['red', 'blue'],
    });
    expect(
      bind('Get-CsOnlineDialInConferencingUser amos.marble@contoso.com', catalog).params,
    ).toEqual({ Identity: 'amos.marble@contoso.com' });
  });

  it('binds named parameters first, positional values to the slots left', () => {
    expect(bind('New-Widget 3 -Name gizmo', catalog).params).toEqual({ Name: 'gizmo', Count: 3 });
    expect(bind('New-Widget -Count 3 gizmo red', catalog).params).toEqual({
      Name: 'gizmo',
      Count: 3,
      Tags: ['red'],
    });
  });

  it('converts positional values by their slot type', () => {
    const e = fail('New-Widget gizmo many');
    expect(e.message).toBe("-Count must be an integer (got 'many').");
    expect(e.field).toBe('Count');
  });

  it('rejects a value with no slot left', () => {
    expect(fail('New-Widget a 1 b c').message).toBe("Unexpected argument 'c'.");
    expect(fail('Set-CsOnlineDialInConferencingTenantSetting x').message).toBe(
      "Unexpected argument 'x'.",
    );
    expect(fail('Set-CsOnlineDialInConferencingUser -Identity a b,c').message).toBe(
      "Unexpected argument 'b,c'.",
    );
  });

  it('rejects a parameter with no value at the end of the line or before another parameter', () => {
    const e = fail('Set-CsOnlineDialInConferencingTenantSetting -PinLength');
    expect(e.message).toBe('Missing value for parameter -PinLength.');
    expect(e.field).toBe('PinLength');
    expect(fail('Set-CsOnlineDialInConferencingUser -id -ResetLeaderPin').message).toBe(
      'Missing value for parameter -Identity.',
    );
    expect(fail(['New-Widget', '-Force:']).message).toBe('Missing value for parameter -Force.');
  });
});

describe('bind: errors name parameters canonically', () => {
  it('uses the ParamDef spelling, whatever was typed', () => {
    const e = fail('set-csonlinedialinconferencingtenantsettings -pinl seven');
    expect(e.message).toBe("-PinLength must be an integer (got 'seven').");
    expect(e.field).toBe('PinLength');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CmdletError');
  });
});
