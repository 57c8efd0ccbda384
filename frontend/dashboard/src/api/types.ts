// JSON shapes of Parley's API (pkg/contracts/*.go); times are RFC 3339 strings.

export type Role = 'owner' | 'admin' | 'agent';
export type AuthorType = 'visitor' | 'agent' | 'bot' | 'system';

export interface User {
  id: string;
  tenant_id: string;
  name: string;
  email: string;
  role: Role;
  created_at: string;
  /** The language of their emails. */
  locale?: string;
  /** Their photo (a public, immutable image URL), when they set one. */
  avatar_url?: string;
}

export interface TenantInfo {
  id: string;
  name: string;
  slug: string;
  widget_key: string;
  created_at: string;
}

export interface AuthResult {
  user: User;
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
}

export interface SignupResult extends AuthResult {
  tenant: TenantInfo;
}

export interface Me {
  user: User;
  tenant: TenantInfo;
}

export interface Invite {
  id: string;
  email: string;
  role: Role;
  expires_at: string;
  created_at: string;
  token?: string;
  url?: string;
}

export interface Author {
  type: AuthorType;
  id?: string;
  name?: string;
  /** An agent's photo, when they set one. */
  avatar_url?: string;
}

/** deleted: the message was deleted; its seq stays, its body and files are gone. */
export type MessageKind = 'text' | 'quick_replies' | 'card' | 'event' | 'deleted';

// Files in the chat (pkg/contracts/files.go).
export const FILE_KINDS = ['image', 'document', 'archive', 'media', 'other'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** DEFAULT_MAX_FILE_BYTES is a file's size limit when the plan sets none. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/** MAX_ATTACHMENTS is how many files one message may carry. */
export const MAX_ATTACHMENTS = 10;

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Attachment is one file of a message. url and thumbnail_url are signed,
 * relative to Parley's origin, and stop working at expires_at; renew them with
 * GET /conversations/{id}/files/{file_id}.
 */
export interface Attachment {
  id: string;
  name: string;
  /** Sniffed from the content, never the client's. */
  content_type: string;
  size: number;
  kind: FileKind;
  image?: ImageSize;
  url?: string;
  thumbnail_url?: string;
  expires_at?: string;
  created_at: string;
}

/** UploadPolicy is what a client checks before uploading, so an over-limit file is refused before a byte is sent. */
export interface UploadPolicy {
  enabled: boolean;
  max_file_bytes: number;
  kinds: FileKind[] | null;
  /** The <input type=file accept> value; empty when every kind is allowed. */
  accept: string;
  storage_full: boolean;
}

export interface AttachmentSettings {
  enabled: boolean;
  kinds: FileKind[] | null;
}

/** StorageUsage is how much the workspace stores, in bytes; limit_bytes 0 means no limit. */
export interface StorageUsage {
  used_bytes: number;
  limit_bytes: number;
  max_file_bytes: number;
  files: number;
}

export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  author: Author;
  body: string;
  kind: MessageKind;
  payload?: unknown;
  private: boolean;
  client_msg_id?: string;
  /** The message's files; a message with files may have an empty body. */
  attachments?: Attachment[] | null;
  created_at: string;
}

export interface Visitor {
  id: string;
  name?: string;
  email?: string;
  verified: boolean;
  external_id?: string;
  attributes?: Record<string, string>;
  current_url?: string;
  user_agent?: string;
  locale?: string;
  timezone?: string;
  created_at: string;
  last_seen_at: string;
}

export interface MessagePreview {
  seq: number;
  author: Author;
  body: string;
  created_at: string;
}

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export type Priority = 'none' | 'low' | 'medium' | 'high' | 'urgent';

export type Handoff = 'bot' | 'queued' | 'agent';

/** QueuePlace is where a queued conversation stands (1 is next) and the expected wait. */
export interface QueuePlace {
  position: number;
  wait_seconds: number;
}

export interface Conversation {
  id: string;
  status: ConversationStatus;
  /** bot, queued or agent (agent when no bot is involved); absent on servers without bots. */
  handoff?: Handoff;
  queue?: QueuePlace;
  assignee_id?: string;
  assignee?: Author;
  priority: Priority;
  labels: string[] | null;
  snooze_until?: string;
  visitor: Visitor;
  last_message?: MessagePreview;
  last_seq: number;
  unread_count: number;
  agent_read_seq: number;
  visitor_read_seq: number;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
  /** How many times it was resolved. */
  resolutions?: number;
  /** The visitor's latest rating. */
  rating?: Rating;
  /** Resolved and not rated yet. */
  survey?: { scale: SurveyScale; resolution: number };
}

export interface VisitorConversation {
  id: string;
  status: ConversationStatus;
  handoff?: Handoff;
  queue?: QueuePlace;
  assignee?: Author;
  last_message?: MessagePreview;
  last_seq: number;
  agent_read_seq: number;
  visitor_read_seq: number;
  created_at: string;
  last_activity_at: string;
}

export interface ConversationPage {
  conversations: Conversation[];
  next_cursor?: string;
}

export interface MessagePage {
  messages: Message[];
  has_more: boolean;
}

export interface ConversationPatch {
  status?: ConversationStatus;
  snooze_until?: string;
  assignee_id?: string;
  priority?: Priority;
  labels?: string[];
}

export interface WidgetSettings {
  enabled: boolean;
  color: string;
  position: 'right' | 'left';
  launcher_text: string;
  greeting_anonymous: string;
  greeting_identified: string;
  greeting_delay_seconds: number;
  theme: 'auto' | 'light' | 'dark';
  locale: string;
  reply_time: 'minutes' | 'hours' | 'day';
  require_verified_identity: boolean;
  /** The tenant's logo; set only through PUT/DELETE /settings/logo, so a settings update sends it back unchanged. */
  logo_url?: string;
}

export interface TimeRange {
  open: string;
  close: string;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessHours {
  enabled: boolean;
  timezone: string;
  weekly: Partial<Record<Weekday, TimeRange[]>> | null;
  holidays: string[] | null;
}

export interface Settings {
  widget: WidgetSettings;
  allowed_domains: string[] | null;
  business_hours: BusinessHours;
  offline_message: string;
  agent_open_limit: number;
  /** Conversations are deleted this many days after their last activity; 0 (or absent) keeps them. */
  retention_days?: number;
  /** Whether a resolved conversation asks its visitor "How did we do?". */
  survey?: { enabled: boolean; scale: SurveyScale };
  /** Whether and which files visitors and agents may send. */
  attachments?: AttachmentSettings;
}

export type SettingsPatch = Partial<Settings>;

export interface CannedResponse {
  id: string;
  shortcut: string;
  body: string;
  created_at: string;
  updated_at: string;
}

/** RFC 9457 problem details as Parley writes them. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  field?: string;
  request_id?: string;
}

/** What the accept page shows of an open invite (GET /api/v1/invites/lookup). */
export interface InviteLookup {
  tenant_name: string;
  inviter_name: string;
  email: string;
  role: Role;
  expires_at: string;
}

export interface EmailStatus {
  email_enabled: boolean;
}

export interface NotifyPreferences {
  email_new_conversations: boolean;
}

// Reports and CSAT (issue 12): pkg/contracts/reports.go.
export type SurveyScale = 'five' | 'thumbs';

export interface Rating {
  score: number;
  scale: SurveyScale;
  comment?: string;
  resolution: number;
  agent_id?: string;
  rated_at: string;
}

/** A duration figure in seconds; median and p90 are null when count is 0. */
export interface Durations {
  count: number;
  median_seconds: number | null;
  p90_seconds: number | null;
}

export interface ReportSummary {
  conversations: number;
  resolutions: number;
  missed: number;
  first_response: Durations;
  resolution: Durations;
  csat_average: number | null;
  csat_responses: number;
  containment: number | null;
}

export interface VolumePoint {
  start: string;
  new: number;
  resolved: number;
}

export interface RatingComment {
  conversation_id: string;
  score: number;
  scale: SurveyScale;
  comment: string;
  agent_id?: string;
  rated_at: string;
}

export interface CSATFigures {
  responses: number;
  surveyed: number;
  response_rate: number | null;
  average: number | null;
  satisfied: number | null;
  /** Count of scores 1…5. */
  distribution: number[];
  comments: RatingComment[] | null;
}

export interface UnansweredQuestion {
  question: string;
  count: number;
  last_asked_at: string;
}

export interface BotFigures {
  conversations: number;
  contained: number;
  containment: number | null;
  handed_off: number;
  handoff_rate: number | null;
  unanswered: UnansweredQuestion[] | null;
}

export interface AgentFigures {
  agent_id: string;
  name: string;
  handled: number;
  first_response: Durations;
  resolution: Durations;
  csat_average: number | null;
  csat_responses: number;
}

export type Granularity = 'day' | 'hour';

export interface Report {
  from: string;
  to: string;
  previous_from: string;
  previous_to: string;
  timezone: string;
  granularity: Granularity;
  business_hours: boolean;
  summary: ReportSummary;
  previous: ReportSummary;
  volume: VolumePoint[] | null;
  /** New conversations by local weekday (Monday first) and hour. */
  heatmap: number[][];
  csat: CSATFigures;
  bot: BotFigures;
  agents: AgentFigures[] | null;
  generated_at: string;
}
