import type { Queryable } from '../store/db.ts';
import { readSettings } from '../admin/organizations.ts';
import type { OrgSettings } from '../admin/setting-specs.ts';
import { verifyPin } from '../admin/pin.ts';
import { isMeetingId } from '../meetings/meeting-id.ts';

/** What the dialled number tells the attendant. */
export interface DialledNumber {
  /** The service number, +E.164; undefined when the bridge does not know it. */
  number: string | undefined;
  /** The number's organization (for a shared number, the one that registered it). */
  orgId: string | undefined;
  /** Shared by several organizations: its calls belong to none until a meeting is found. */
  shared: boolean;
  /** Primary language first, then the secondary ones in their order. */
  languages: string[];
}

/** The organizer behind a conference ID, with what their meeting needs to know. */
export interface Organizer {
  userId: string;
  orgId: string;
  displayName: string;
  conferenceId: string;
  allowPstnOnly: boolean;
  settings: OrgSettings;
}

/** Conference IDs callers may type: 7-digit static IDs and 8-digit per-meeting IDs. */
const ID_FORMAT = /^[1-9]\d{6}$/;

/** A scheduled meeting reached by its own ID, with its options (null: the default applies). */
export interface ScheduledMeeting {
  id: string;
  announceEntryExit: boolean | null;
  allowPstnOnly: boolean | null;
}

/** Whom a typed conference ID leads to. */
export interface Resolved {
  organizer: Organizer;
  /** Set for a per-meeting ID; a static ID opens the organizer's own meeting. */
  meeting?: ScheduledMeeting;
}

interface OrganizerRow {
  id: string;
  org_id: string;
  display_name: string;
  conference_id: string;
  allow_pstn_only_meetings: boolean;
}
const ORGANIZER_COLUMNS =
  'u.id, u.org_id, u.display_name, u.conference_id, u.allow_pstn_only_meetings';

/** Unknown numbers (a trunk sending us a number nobody registered) are answered in this language. */
export const FALLBACK_LANGUAGE = 'en-US';

/**
 * The store as the call plane reads it: service numbers, conference IDs,
 * leader PINs. Every answer comes fresh from the store, so a reset ID stops
 * working at once.
 */
export class CallDirectory {
  constructor(private readonly db: Queryable) {}

  async dialled(user: string): Promise<DialledNumber> {
    const digits = user.replace(/^tel:/i, '').replace(/[\s().-]/g, '');
    const e164 = /^\+?[1-9]\d{6,14}$/.test(digits) ? `+${digits.replace(/^\+/, '')}` : undefined;
    const unknown = {
      number: undefined,
      orgId: undefined,
      shared: true,
      languages: [FALLBACK_LANGUAGE],
    };
    if (!e164) return unknown;
    const rows = await this.db.query<{
      number: string;
      org_id: string;
      primary_language: string;
      secondary_languages: string[];
      shared: boolean;
    }>(
      'select number, org_id, shared, primary_language, secondary_languages from service_numbers where number = $1',
      [e164],
    );
    const row = rows[0];
    if (!row) return unknown;
    return {
      number: row.number,
      orgId: row.org_id,
      shared: row.shared,
      languages: [row.primary_language, ...row.secondary_languages],
    };
  }

  /**
   * The organizer whose meeting a conference ID opens, or undefined for an
   * unknown, released or malformed ID. Only users on the built-in provider
   * are served here: a third-party provider's users dial their provider.
   */
  async organizer(conferenceId: string): Promise<Organizer | undefined> {
    if (!ID_FORMAT.test(conferenceId)) return undefined;
    const rows = await this.db.query<OrganizerRow>(
      `select ${ORGANIZER_COLUMNS} from users u where u.conference_id = $1 and u.provider = 'BuiltIn'`,
      [conferenceId],
    );
    return rows[0] && this.toOrganizer(rows[0]);
  }

  private async toOrganizer(row: OrganizerRow): Promise<Organizer> {
    return {
      userId: row.id,
      orgId: row.org_id,
      displayName: row.display_name,
      conferenceId: row.conference_id,
      allowPstnOnly: row.allow_pstn_only_meetings,
      settings: await readSettings(this.db, row.org_id),
    };
  }

  /**
   * One resolver for every ID a caller types: a 7-digit static ID opens its
   * user's meeting; an 8-digit per-meeting ID (its check digit right) opens
   * that scheduled meeting while it is not cancelled. Unknown, released,
   * malformed and third-party IDs find nothing.
   */
  async resolve(conferenceId: string): Promise<Resolved | undefined> {
    if (ID_FORMAT.test(conferenceId)) {
      const organizer = await this.organizer(conferenceId);
      return organizer && { organizer };
    }
    if (!isMeetingId(conferenceId)) return undefined;
    const rows = await this.db.query<
      OrganizerRow & {
        meeting_id: string;
        announce_entry_exit: boolean | null;
        allow_pstn_only: boolean | null;
      }
    >(
      `select m.id as meeting_id, m.announce_entry_exit, m.allow_pstn_only, ${ORGANIZER_COLUMNS}
         from meetings m join users u on u.id = m.organizer_id
        where m.conference_id = $1 and m.id_kind = 'meeting' and m.state = 'scheduled'
          and u.provider = 'BuiltIn'`,
      [conferenceId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      organizer: await this.toOrganizer(row),
      meeting: {
        id: row.meeting_id,
        announceEntryExit: row.announce_entry_exit,
        allowPstnOnly: row.allow_pstn_only,
      },
    };
  }

  /** Whether `pin` is the organizer's leader PIN (checked against its salted hash). */
  async checkPin(userId: string, pin: string): Promise<boolean> {
    if (!/^\d{4,12}$/.test(pin)) return false;
    const rows = await this.db.query<{ pin_hash: string | null }>(
      'select pin_hash from users where id = $1',
      [userId],
    );
    const hash = rows[0]?.pin_hash;
    return hash ? verifyPin(pin, hash) : false;
  }

  async settings(orgId: string): Promise<OrgSettings> {
    return readSettings(this.db, orgId);
  }
}
