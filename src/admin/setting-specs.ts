// No imports here: the command line loads this table, and it must start fast.

/**
 * The organization's dial-in settings ("bridge settings"): each with its type,
 * range and default, as the hosted service documents them. Pure: no I/O.
 */
export const MASK_TYPES = ['MaskedForExternalUsers', 'MaskedForAllUsers', 'NoMasking'] as const;
export const ANNOUNCEMENT_TYPES = ['UseNames', 'ToneOnly'] as const;

export interface OrgSettings {
  EnableEntryExitNotifications: boolean;
  EntryExitAnnouncementsType: (typeof ANNOUNCEMENT_TYPES)[number];
  EnableNameRecording: boolean;
  PinLength: number;
  AllowPSTNOnlyMeetingsByDefault: boolean;
  AutomaticallySendEmailsToUsers: boolean;
  SendEmailFromOverride: boolean;
  SendEmailFromAddress: string | null;
  SendEmailFromDisplayName: string | null;
  AutomaticallyReplaceAcpProvider: boolean;
  AutomaticallyMigrateUserMeetings: boolean;
  UseUniqueConferenceIds: boolean;
  MaskPstnNumbersType: (typeof MASK_TYPES)[number];
}

type Spec =
  | { type: 'bool' }
  | { type: 'int'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'email' }
  | { type: 'text'; max: number };

export const SETTING_SPECS: Record<keyof OrgSettings, Spec> = {
  EnableEntryExitNotifications: { type: 'bool' },
  EntryExitAnnouncementsType: { type: 'enum', values: ANNOUNCEMENT_TYPES },
  EnableNameRecording: { type: 'bool' },
  PinLength: { type: 'int', min: 4, max: 12 },
  AllowPSTNOnlyMeetingsByDefault: { type: 'bool' },
  AutomaticallySendEmailsToUsers: { type: 'bool' },
  SendEmailFromOverride: { type: 'bool' },
  SendEmailFromAddress: { type: 'email' },
  SendEmailFromDisplayName: { type: 'text', max: 256 },
  AutomaticallyReplaceAcpProvider: { type: 'bool' },
  AutomaticallyMigrateUserMeetings: { type: 'bool' },
  UseUniqueConferenceIds: { type: 'bool' },
  MaskPstnNumbersType: { type: 'enum', values: MASK_TYPES },
};

export const DEFAULT_SETTINGS: Readonly<OrgSettings> = Object.freeze({
  EnableEntryExitNotifications: true,
  EntryExitAnnouncementsType: 'UseNames',
  EnableNameRecording: true,
  PinLength: 5,
  AllowPSTNOnlyMeetingsByDefault: false,
  AutomaticallySendEmailsToUsers: true,
  SendEmailFromOverride: false,
  SendEmailFromAddress: null,
  SendEmailFromDisplayName: null,
  AutomaticallyReplaceAcpProvider: true,
  AutomaticallyMigrateUserMeetings: true,
  UseUniqueConferenceIds: true,
  MaskPstnNumbersType: 'MaskedForExternalUsers',
});
