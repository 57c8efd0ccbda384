package config

// Limits bound what one anonymous visitor, or one client IP, may do. The
// gateway keeps its limits in memory per replica; 0 turns a limit off (the
// benchmark does, to measure throughput rather than the limits).
type Limits struct {
	// Conversations a visitor, and a client IP, may start per hour
	// (PARLEY_VISITOR_STARTS_PER_HOUR, default 10; PARLEY_IP_STARTS_PER_HOUR,
	// default 200: an office or a mobile carrier puts many visitors behind one IP).
	VisitorStartsPerHour int
	IPStartsPerHour      int
	// Messages a visitor, and a client IP, may send per minute, REST and
	// socket together (PARLEY_VISITOR_MESSAGES_PER_MINUTE, default 60;
	// PARLEY_IP_MESSAGES_PER_MINUTE, default 600).
	VisitorMessagesPerMinute int
	IPMessagesPerMinute      int
	// Sockets open at once per visitor (or agent session) and per client IP
	// on one gateway (PARLEY_SOCKETS_PER_VISITOR, default 20;
	// PARLEY_SOCKETS_PER_IP, default 200).
	SocketsPerVisitor int
	SocketsPerIP      int
}

func loadLimits(r *reader) Limits {
	l := Limits{
		VisitorStartsPerHour:     r.integer("PARLEY_VISITOR_STARTS_PER_HOUR", 10),
		IPStartsPerHour:          r.integer("PARLEY_IP_STARTS_PER_HOUR", 200),
		VisitorMessagesPerMinute: r.integer("PARLEY_VISITOR_MESSAGES_PER_MINUTE", 60),
		IPMessagesPerMinute:      r.integer("PARLEY_IP_MESSAGES_PER_MINUTE", 600),
		SocketsPerVisitor:        r.integer("PARLEY_SOCKETS_PER_VISITOR", 20),
		SocketsPerIP:             r.integer("PARLEY_SOCKETS_PER_IP", 200),
	}
	for _, v := range []struct {
		name string
		n    int
	}{
		{"PARLEY_VISITOR_STARTS_PER_HOUR", l.VisitorStartsPerHour}, {"PARLEY_IP_STARTS_PER_HOUR", l.IPStartsPerHour},
		{"PARLEY_VISITOR_MESSAGES_PER_MINUTE", l.VisitorMessagesPerMinute}, {"PARLEY_IP_MESSAGES_PER_MINUTE", l.IPMessagesPerMinute},
		{"PARLEY_SOCKETS_PER_VISITOR", l.SocketsPerVisitor}, {"PARLEY_SOCKETS_PER_IP", l.SocketsPerIP},
	} {
		if v.n < 0 {
			r.fail(v.name, "must be 0 (no limit) or more, got %d", v.n)
		}
	}
	return l
}
