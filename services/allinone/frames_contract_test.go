package allinone_test

import (
	"bytes"
	"fmt"
	"os"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// asyncSpecPath is the real-time contract, api/asyncapi.yaml at the
// repository root. Every frame a test socket receives is checked against it.
const asyncSpecPath = "../../api/asyncapi.yaml"

// serverFrames names the schema of each frame the server sends, by type
// (conversation.updated and message.deleted differ for agents and visitors).
var serverFrames = map[string]string{
	"hello":                        "HelloFrame",
	"message.created":              "MessageCreatedFrame",
	"conversation.updated/agent":   "ConversationUpdatedForAgentsFrame",
	"conversation.updated/visitor": "ConversationUpdatedForVisitorsFrame",
	"typing":                       "TypingFrame",
	"read":                         "ReadFrame",
	"presence":                     "PresenceFrame",
	"message.ack":                  "MessageAckFrame",
	"message.deleted/agent":        "MessageDeletedForAgentsFrame",
	"message.deleted/visitor":      "MessageDeletedForVisitorsFrame",
	"error":                        "ErrorFrame",
	"pong":                         "PongFrame",
	"reconnect":                    "ReconnectFrame",
	"resumed":                      "ResumedFrame",
	"resync":                       "ResyncFrame",
}

var (
	frameOnce    sync.Once
	frameSchemas map[string]*jsonschema.Schema
	frameErr     error
)

func loadFrameSchemas() (map[string]*jsonschema.Schema, error) {
	frameOnce.Do(func() {
		raw, err := os.ReadFile(asyncSpecPath)
		if err != nil {
			frameErr = err
			return
		}
		js, err := yaml.YAMLToJSON(raw)
		if err != nil {
			frameErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			frameErr = err
			return
		}
		const url = "file:///asyncapi.json"
		c := jsonschema.NewCompiler()
		if frameErr = c.AddResource(url, doc); frameErr != nil {
			return
		}
		frameSchemas = map[string]*jsonschema.Schema{}
		for key, name := range serverFrames {
			if frameSchemas[key], frameErr = c.Compile(url + "#/components/schemas/" + name); frameErr != nil {
				return
			}
		}
	})
	return frameSchemas, frameErr
}

// checkFrame validates a frame the server sent to a socket of the given
// role ("" before hello) against api/asyncapi.yaml.
func checkFrame(role string, data []byte) error {
	schemas, err := loadFrameSchemas()
	if err != nil {
		return fmt.Errorf("asyncapi.yaml: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("frame is not JSON: %w", err)
	}
	typ, _ := v.(map[string]any)["type"].(string)
	key := typ
	if typ == "conversation.updated" || typ == "message.deleted" {
		key += "/" + role
	}
	sch, ok := schemas[key]
	if !ok {
		return fmt.Errorf("frame type %q (role %q) is not documented: %s", typ, role, data)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("frame %s does not match %s: %#v", data, serverFrames[key], err)
	}
	return nil
}
