package contracts

// HealthReport says whether a service and its database answer.
type HealthReport struct {
	Service  string `json:"service"`
	Database string `json:"database"` // "ok" or the reason it is not
}

// Health returns the health endpoint of a service.
func Health(service string) Endpoint[Empty, HealthReport] {
	return Endpoint[Empty, HealthReport]{service, "health"}
}
