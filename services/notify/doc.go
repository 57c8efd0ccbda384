// Package notify is the notify service: every email Parley sends (over SMTP,
// from events, durably and once) and the replies it receives by email.
package notify
