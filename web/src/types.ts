/**
 * The service's replies, as the admin center reads them (see /docs). Where the
 * service has a type for a reply it is imported from there (types only: Vite
 * erases them), so the page and the API cannot drift apart.
 */

import type { DialInUserView } from '../../src/admin/dialin.ts';

export type { DirectoryUser, DirectoryPage } from '../../src/admin/directory.ts';
export type { DialInUserView as DialInUser } from '../../src/admin/dialin.ts';
export type { AcpView as Acp } from '../../src/admin/acp.ts';
export type { BridgeView } from '../../src/admin/bridges.ts';
export type { ServiceNumberView as ServiceNumber } from '../../src/admin/service-numbers.ts';
export type { Language } from '../../src/admin/languages.ts';
export type { OrgSettings as Settings } from '../../src/admin/setting-specs.ts';
export type { MeetingView as Meeting } from '../../src/meetings/meetings.ts';
export type { MigrationView as Migration } from '../../src/meetings/migrations.ts';
export type {
  ParticipantView as Participant,
  MeetingView as LiveMeeting,
} from '../../src/events/types.ts';
export type { OutboxView as OutboxItem } from '../../src/mail/outbox.ts';
export type { AuditEntry } from '../../src/admin/audit.ts';

export type Provider = 'BuiltIn' | 'ThirdParty' | 'None';

/** POST /api/v1/licenses, per user (the route shapes it from the use case's outcome). */
export interface LicenseResult {
  user: { UserPrincipalName: string; DisplayName: string };
  dialIn: DialInUserView;
  notes: string[];
}
