module github.com/parley-chat/parley/services/notify

go 1.26.0

replace github.com/parley-chat/parley/pkg => ../../pkg

require (
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // indirect
	github.com/emersion/go-smtp v0.25.1 // indirect
)
