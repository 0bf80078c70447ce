import type { AdminContext, Actor } from './context.ts';
import { ValidationError } from '../errors.ts';
import {
  createOrganization,
  getOrganization,
  listOrganizations,
  readSettings,
  removeSettings,
  updateOrganization,
  writeSettings,
} from './organizations.ts';
import type { OrgSettings } from './settings.ts';
import {
  createUser,
  findUser,
  listUsers,
  removeUser,
  updateUser,
  userView,
  type Provider,
  type UserView,
} from './users.ts';
import { changeLicenses, parseSku } from './licenses.ts';
import {
  checkSetDialIn,
  DIALIN_SELECT,
  dialInView,
  disableBuiltIn,
  enableDialInUser,
  loadDialIn,
  newPin,
  requireBuiltIn,
  setDialInUser,
  type DialInRow,
  type DialInUserView,
  type SetDialInInput,
} from './dialin.ts';
import {
  bridgeView,
  createBridge,
  findBridge,
  findBridgeRef,
  listBridges,
  setBridge,
  type BridgeView,
} from './bridges.ts';
import {
  createNumber,
  findNumber,
  listNumbers,
  registerNumber,
  serviceNumberView,
  setNumberLanguages,
  unregisterNumber,
  validateType,
  type ServiceNumberView,
} from './service-numbers.ts';
import { getAcp, listAcp, removeAcp, setAcp, type AcpInput, type AcpView } from './acp.ts';
import { LANGUAGES, type Language } from './languages.ts';
import {
  moveDefaultNumber,
  type MoveDefaultNumberInput,
  type MoveDefaultNumberResult,
} from './default-numbers.ts';
import { listAudit, type AuditEntry } from './audit.ts';
import { createToken, listTokens, revokeToken, type TokenView } from './tokens.ts';
import { ProviderImports } from './provider-imports.ts';
import {
  createAccount,
  listAccounts,
  preparePassword,
  removeAccount,
  updateAccount,
  type AccountView,
} from './accounts.ts';
import { listDirectory, type DirectoryPage, type DirectoryQuery } from './directory.ts';

export interface LicenseResult {
  user: UserView;
  dialIn: DialInUserView;
  notes: string[];
}

function asList(value: unknown, field: string): string[] {
  const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v !== 'string' || !v.trim())
      throw new ValidationError(field, 'must be a list of names', value);
    return v.trim();
  });
}

function page(limit: unknown, offset: unknown): { limit: number; offset: number } {
  const l = limit === undefined ? 100 : Number(limit);
  const o = offset === undefined ? 0 : Number(offset);
  if (!Number.isInteger(l) || l < 1 || l > 1000)
    throw new ValidationError('limit', 'must be a whole number from 1 to 1000', limit);
  if (!Number.isInteger(o) || o < 0)
    throw new ValidationError('offset', 'must be a whole number, 0 or more', offset);
  return { limit: l, offset: o };
}

/**
 * The administration use cases. Every face — REST API, command line, admin
 * center — calls these; each runs in one transaction, so a refused change
 * leaves nothing behind.
 */
export class AdminService {
  constructor(private readonly ctx: AdminContext) {}

  private get db() {
    return this.ctx.db;
  }

  private imports?: ProviderImports;
  /** The third-party provider CSV export and import jobs (provider-imports.ts). */
  get providerImports(): ProviderImports {
    return (this.imports ??= new ProviderImports({ db: this.db, log: this.ctx.log }));
  }

  // Organization and settings

  organization(actor: Actor) {
    return getOrganization(this.db, actor.orgId);
  }

  updateOrganization(actor: Actor, patch: { name?: unknown; domain?: unknown }) {
    return this.db.tx((q) => updateOrganization(q, actor, patch));
  }

  async listOrganizations(actor: Actor) {
    const self = await this.organization(actor);
    return self.operator ? listOrganizations(this.db) : [self];
  }

  /** A new organization and its first administrator token, shown in this reply only. */
  createOrganization(actor: Actor, input: { name?: unknown; domain?: unknown }) {
    return this.db.tx(async (q) => {
      const org = await createOrganization(q, actor, input);
      const { token } = await createToken(q, { orgId: org.id, name: actor.name }, 'admin');
      return { organization: org, token };
    });
  }

  getSettings(actor: Actor): Promise<OrgSettings> {
    return readSettings(this.db, actor.orgId);
  }

  setSettings(actor: Actor, patch: Record<string, unknown>): Promise<OrgSettings> {
    return this.db.tx((q) => writeSettings(q, actor, patch));
  }

  removeSettings(actor: Actor): Promise<OrgSettings> {
    return this.db.tx((q) => removeSettings(q, actor));
  }

  // Users and licenses

  async createUser(
    actor: Actor,
    input: { UserPrincipalName: unknown; DisplayName: unknown; UsageLocation?: unknown },
  ) {
    const org = await this.organization(actor);
    const row = await this.db.tx((q) => createUser(q, actor, input));
    return userView(row, org.name);
  }

  async listUsers(
    actor: Actor,
    opts: { search?: string; provider?: Provider; limit?: unknown; offset?: unknown },
  ) {
    const org = await this.organization(actor);
    const rows = await listUsers(this.db, actor.orgId, {
      ...opts,
      ...page(opts.limit, opts.offset),
    });
    return rows.map((r) => userView(r, org.name));
  }

  async getUser(actor: Actor, identity: unknown) {
    const org = await this.organization(actor);
    return userView(await findUser(this.db, actor.orgId, identity, 'UserPrincipalName'), org.name);
  }

  async updateUser(
    actor: Actor,
    identity: unknown,
    patch: { DisplayName?: unknown; UsageLocation?: unknown },
  ) {
    const org = await this.organization(actor);
    return userView(await this.db.tx((q) => updateUser(q, actor, identity, patch)), org.name);
  }

  async removeUser(actor: Actor, identity: unknown) {
    const org = await this.organization(actor);
    return userView(await this.db.tx((q) => removeUser(q, actor, identity)), org.name);
  }

  /**
   * Set-MsolUserLicense for one or many users at once. All users change or none:
   * an unknown user or license anywhere in the list refuses the whole request.
   */
  async setLicenses(
    actor: Actor,
    input: { UserPrincipalName: unknown; AddLicenses?: unknown; RemoveLicenses?: unknown },
  ) {
    const org = await this.organization(actor);
    const users = asList(input.UserPrincipalName, 'UserPrincipalName');
    if (!users.length)
      throw new ValidationError('UserPrincipalName', 'is required: one or more users');
    const add = asList(input.AddLicenses, 'AddLicenses').map((s) =>
      parseSku(s, org.name, 'AddLicenses'),
    );
    const remove = asList(input.RemoveLicenses, 'RemoveLicenses').map((s) =>
      parseSku(s, org.name, 'RemoveLicenses'),
    );
    if (!add.length && !remove.length)
      throw new ValidationError('AddLicenses', 'or -RemoveLicenses is required');
    const settings = await this.getSettings(actor);
    const pins = add.length ? await Promise.all(users.map(() => newPin(settings.PinLength))) : [];
    const outcomes = await this.db.tx(async (q) => {
      const out = [];
      for (const [i, u] of users.entries()) {
        out.push(
          await changeLicenses(
            q,
            actor,
            u,
            add,
            remove,
            settings,
            pins[i] ?? { pin: '', hash: '' },
            this.ctx.quarantineDays,
          ),
        );
      }
      return out;
    });
    this.ctx.committed?.();
    const results: LicenseResult[] = [];
    for (const o of outcomes) {
      results.push({
        user: userView(o.user, org.name),
        dialIn: dialInView(await loadDialIn(this.db, o.user.id), o.clearPin),
        notes: o.notes,
      });
    }
    return results;
  }

  // Dial-in users

  async listDialInUsers(
    actor: Actor,
    opts: { search?: string; limit?: unknown; offset?: unknown } = {},
  ) {
    const { limit, offset } = page(opts.limit, opts.offset);
    const search = opts.search ? `%${opts.search.toLowerCase().replace(/[%_\\]/g, '\\$&')}%` : null;
    const rows = await this.db.query<DialInRow>(
      `${DIALIN_SELECT} where u.org_id = $1 and u.provider = 'BuiltIn'
         and ($2::text is null or lower(u.display_name) like $2 or u.upn like $2 or u.conference_id like $2)
       order by u.display_name, u.upn limit $3 offset $4`,
      [actor.orgId, search, limit, offset],
    );
    return rows.map((r) => dialInView(r));
  }

  async getDialInUser(actor: Actor, identity: unknown): Promise<DialInUserView> {
    const user = await findUser(this.db, actor.orgId, identity);
    requireBuiltIn(user);
    return dialInView(await loadDialIn(this.db, user.id));
  }

  /** Set-CsOnlineDialInConferencingUserDefaultNumber: a bulk move of users' default number. */
  async moveDefaultNumber(
    actor: Actor,
    input: MoveDefaultNumberInput,
  ): Promise<MoveDefaultNumberResult> {
    const result = await this.db.tx((q) => moveDefaultNumber(q, actor, input));
    this.ctx.committed?.();
    return result;
  }

  async setDialInUser(actor: Actor, input: SetDialInInput): Promise<DialInUserView> {
    checkSetDialIn(input);
    const settings = await this.getSettings(actor);
    const pin = input.ResetLeaderPin === true ? await newPin(settings.PinLength) : undefined;
    const { user, clearPin } = await this.db.tx((q) =>
      setDialInUser(q, actor, input, pin, this.ctx.quarantineDays),
    );
    this.ctx.committed?.();
    return dialInView(await loadDialIn(this.db, user.id), clearPin);
  }

  async enableDialInUser(
    actor: Actor,
    input: { Identity: unknown; ReplaceProvider?: unknown; SendEmail?: unknown },
  ): Promise<DialInUserView> {
    const settings = await this.getSettings(actor);
    const pin = await newPin(settings.PinLength);
    const { user, clearPin } = await this.db.tx((q) =>
      enableDialInUser(q, actor, input, settings, pin, this.ctx.quarantineDays),
    );
    this.ctx.committed?.();
    return dialInView(await loadDialIn(this.db, user.id), clearPin);
  }

  async disableDialInUser(
    actor: Actor,
    identity: unknown,
    opts: { SendEmail?: unknown } = {},
  ): Promise<DialInUserView> {
    const user = await this.db.tx(async (q) => {
      const u = await findUser(q, actor.orgId, identity);
      requireBuiltIn(u);
      await disableBuiltIn(q, actor, u, opts.SendEmail === true);
      return u;
    });
    this.ctx.committed?.();
    return dialInView(await loadDialIn(this.db, user.id));
  }

  // Bridges and numbers

  async listBridges(actor: Actor): Promise<BridgeView[]> {
    const rows = await listBridges(this.db, actor.orgId);
    return Promise.all(rows.map((b) => bridgeView(this.db, b)));
  }

  async getBridge(actor: Actor, identity: unknown): Promise<BridgeView> {
    return bridgeView(this.db, await findBridge(this.db, actor.orgId, identity));
  }

  async createBridge(
    actor: Actor,
    input: { Name: unknown; Region?: unknown },
  ): Promise<BridgeView> {
    const row = await this.db.tx((q) => createBridge(q, actor, input));
    return bridgeView(this.db, row);
  }

  async setBridge(actor: Actor, input: Parameters<typeof setBridge>[2]): Promise<BridgeView> {
    const row = await this.db.tx((q) => setBridge(q, actor, input));
    return bridgeView(this.db, row);
  }

  async listNumbers(
    actor: Actor,
    filter: { BridgeName?: unknown; BridgeId?: unknown; City?: unknown; Type?: unknown } = {},
  ): Promise<ServiceNumberView[]> {
    const bridge = await findBridgeRef(this.db, actor.orgId, filter);
    const rows = await listNumbers(this.db, actor.orgId, {
      bridgeId: bridge?.id,
      city: typeof filter.City === 'string' ? filter.City : undefined,
      type: filter.Type === undefined ? undefined : validateType(filter.Type),
    });
    return rows.map(serviceNumberView);
  }

  async getNumber(actor: Actor, identity: unknown): Promise<ServiceNumberView> {
    return serviceNumberView(await findNumber(this.db, actor.orgId, identity));
  }

  async createNumber(
    actor: Actor,
    input: Parameters<typeof createNumber>[2],
  ): Promise<ServiceNumberView> {
    await this.db.tx((q) => createNumber(q, actor, input));
    return this.getNumber(actor, input.Identity);
  }

  async registerNumber(
    actor: Actor,
    input: Parameters<typeof registerNumber>[2],
  ): Promise<ServiceNumberView> {
    return serviceNumberView(await this.db.tx((q) => registerNumber(q, actor, input)));
  }

  async unregisterNumber(
    actor: Actor,
    input: Parameters<typeof unregisterNumber>[2],
  ): Promise<ServiceNumberView> {
    return serviceNumberView(await this.db.tx((q) => unregisterNumber(q, actor, input)));
  }

  async setNumber(
    actor: Actor,
    input: Parameters<typeof setNumberLanguages>[2],
  ): Promise<ServiceNumberView> {
    return serviceNumberView(await this.db.tx((q) => setNumberLanguages(q, actor, input)));
  }

  languages(): readonly Language[] {
    return LANGUAGES;
  }

  // Third-party providers

  getAcp(actor: Actor, identity: unknown): Promise<AcpView> {
    return getAcp(this.db, actor.orgId, identity);
  }

  listAcp(actor: Actor): Promise<AcpView[]> {
    return listAcp(this.db, actor.orgId);
  }

  setAcp(actor: Actor, input: AcpInput): Promise<AcpView> {
    return this.db.tx((q) => setAcp(q, actor, input));
  }

  removeAcp(actor: Actor, identity: unknown): Promise<void> {
    return this.db.tx((q) => removeAcp(q, actor, identity));
  }

  // Audit and tokens

  /** Newest first; page with offset, or with before (the id of the last entry already shown). */
  audit(
    actor: Actor,
    opts: { limit?: unknown; offset?: unknown; before?: unknown; target?: string },
  ): Promise<AuditEntry[]> {
    const { limit, offset } = page(opts.limit, opts.offset);
    const before = opts.before === undefined ? undefined : Number(opts.before);
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 1))
      throw new ValidationError(
        'before',
        'must be the id of an audit entry (a whole number)',
        opts.before,
      );
    return listAudit(this.db, actor.orgId, { limit, offset, before, target: opts.target });
  }

  // Administrator accounts (admin center sign-in)

  listAccounts(actor: Actor): Promise<AccountView[]> {
    return listAccounts(this.db, actor.orgId);
  }

  async createAccount(
    actor: Actor,
    input: { username?: unknown; password?: unknown },
  ): Promise<AccountView> {
    const prepared = await preparePassword(input);
    return this.db.tx((q) => createAccount(q, actor, prepared));
  }

  /** A new password and/or disabled; either ends the account's sessions. */
  async updateAccount(
    actor: Actor,
    username: unknown,
    input: { password?: unknown; disabled?: unknown },
  ): Promise<AccountView> {
    if (input.password === undefined && input.disabled === undefined)
      throw new ValidationError('body', 'must set password or disabled');
    if (input.disabled !== undefined && typeof input.disabled !== 'boolean')
      throw new ValidationError('disabled', 'must be true or false', input.disabled);
    const hash =
      input.password === undefined
        ? undefined
        : (await preparePassword({ username, password: input.password })).hash;
    return this.db.tx((q) =>
      updateAccount(q, actor, username, {
        hash,
        disabled: input.disabled as boolean | undefined,
      }),
    );
  }

  removeAccount(actor: Actor, username: unknown): Promise<AccountView> {
    return this.db.tx((q) => removeAccount(q, actor, username));
  }

  // The admin center's users directory

  directoryUsers(actor: Actor, query: DirectoryQuery): Promise<DirectoryPage> {
    return listDirectory(this.db, actor.orgId, query);
  }

  createToken(actor: Actor, name: unknown): Promise<{ token: string; view: TokenView }> {
    return this.db.tx((q) => createToken(q, actor, name));
  }

  listTokens(actor: Actor): Promise<TokenView[]> {
    return listTokens(this.db, actor.orgId);
  }

  revokeToken(actor: Actor, id: unknown): Promise<TokenView> {
    return this.db.tx((q) => revokeToken(q, actor, id));
  }
}
