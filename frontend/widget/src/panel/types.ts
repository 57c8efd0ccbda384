// JSON shapes of the visitor API (pkg/contracts: conversation.go, settings.go).

export type AuthorType = 'visitor' | 'agent' | 'bot' | 'system'

export interface Author {
  type: AuthorType
  id?: string
  name?: string
  avatar_url?: string // an agent's photo, a path on Parley's origin
}

export interface Message {
  id: string
  conversation_id: string
  seq: number
  author: Author
  body: string
  kind: string // text, quick_replies, card, event, deleted
  payload?: unknown
  private?: boolean
  client_msg_id?: string
  attachments?: Attachment[] // with files the body may be empty
  created_at: string
}

/** A file of a message (contracts.Attachment); url and thumbnail_url are signed paths on Parley's origin. */
export interface Attachment {
  id: string
  name: string
  content_type: string
  size: number
  kind: string // image, document, archive, media, other
  image?: { width: number; height: number }
  url?: string
  thumbnail_url?: string
  expires_at?: string
  created_at?: string
}

/** What the visitor may upload (GET /api/v1/widget/uploads/policy). */
export interface UploadPolicy {
  enabled: boolean
  max_file_bytes: number
  kinds: string[] | null
  accept: string
  storage_full: boolean
}

export interface MessagePreview {
  seq: number
  author: Author
  body: string
  created_at: string
}

export interface Conversation {
  id: string
  status: string
  handoff?: string // bot, queued or agent (issue 6)
  queue?: QueuePlace // while queued
  assignee?: Author
  last_message?: MessagePreview
  last_seq: number
  agent_read_seq: number
  visitor_read_seq: number
  rating?: Rating // the visitor's latest rating
  survey?: SurveyPrompt // resolved and not rated yet: ask "How did we do?"
  created_at: string
  last_activity_at: string
}

/** A visitor's answer to the survey of one resolution (pkg/contracts/reports.go). */
export interface Rating {
  score: number // 1–5; thumbs: 1 down, 5 up
  scale: string // five or thumbs
  comment?: string
  resolution: number
  rated_at: string
}

export interface SurveyPrompt {
  scale: string
  resolution: number
}

/** Where a queued conversation stands: 1 is next; the expected wait in seconds (0: unknown). */
export interface QueuePlace {
  position: number
  wait_seconds: number
}

export interface WidgetSettings {
  enabled: boolean
  color: string
  position: string
  launcher_text: string
  greeting_anonymous: string
  greeting_identified: string
  greeting_delay_seconds: number
  theme: string
  locale: string
  reply_time: string
  require_verified_identity: boolean
  logo_url?: string // the tenant's logo, a path on Parley's origin
}

export interface WidgetConfig {
  business_name: string
  widget: WidgetSettings
  offline_message: string
  agents_online: Author[] | null
  within_business_hours: boolean
  next_open_at?: string | null
  /** The tenant's conversations for the month are used up: show the offline form. */
  quota_exceeded?: boolean
}

export interface Visitor {
  id: string
  name?: string
  email?: string
  verified: boolean
}

export interface SessionResult {
  visitor_token: string
  expires_at?: string // when visitor_token stops working (7 days on)
  visitor: Visitor
  config: WidgetConfig
}

/** What DELETE /api/v1/widget/visitor removed (contracts.VisitorErasure). */
export interface VisitorErasure {
  visitor_id: string
  conversations: number
  messages: number
}

export interface MessagePage {
  messages: Message[] | null
  has_more: boolean
}

/** A frame the server sends on the WebSocket (services/gateway/internal/realtime/frames.go). */
export interface ServerFrame {
  type: string
  role?: string
  message?: Message
  conversation?: Conversation
  conversation_id?: string
  author?: Author
  typing?: boolean
  reader?: Author
  seq?: number
  agent_id?: string
  status?: string
  client_msg_id?: string
  code?: string
  detail?: string
}
