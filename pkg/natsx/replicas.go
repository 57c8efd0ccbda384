package natsx

import (
	"context"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NewJetStream returns the JetStream API of nc that creates every stream, KV
// bucket and object store with the given number of replicas (the cluster's
// PARLEY_NATS_REPLICAS) unless the caller's configuration names one. Parley
// code creates JetStream assets only through such a handle, so one setting
// covers them all. Updating an existing stream with another count scales it.
func NewJetStream(nc *nats.Conn, replicas int) (jetstream.JetStream, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	if replicas <= 1 {
		return js, nil
	}
	return replicated{JetStream: js, n: replicas}, nil
}

type replicated struct {
	jetstream.JetStream
	n int
}

func (r replicated) replicas(n int) int {
	if n == 0 {
		return r.n
	}
	return n
}

func (r replicated) CreateStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.CreateStream(ctx, cfg)
}

func (r replicated) UpdateStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.UpdateStream(ctx, cfg)
}

func (r replicated) CreateOrUpdateStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.CreateOrUpdateStream(ctx, cfg)
}

func (r replicated) CreateKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.CreateKeyValue(ctx, cfg)
}

func (r replicated) UpdateKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.UpdateKeyValue(ctx, cfg)
}

func (r replicated) CreateOrUpdateKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.CreateOrUpdateKeyValue(ctx, cfg)
}

func (r replicated) CreateObjectStore(ctx context.Context, cfg jetstream.ObjectStoreConfig) (jetstream.ObjectStore, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.CreateObjectStore(ctx, cfg)
}

func (r replicated) UpdateObjectStore(ctx context.Context, cfg jetstream.ObjectStoreConfig) (jetstream.ObjectStore, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.UpdateObjectStore(ctx, cfg)
}

func (r replicated) CreateOrUpdateObjectStore(ctx context.Context, cfg jetstream.ObjectStoreConfig) (jetstream.ObjectStore, error) {
	cfg.Replicas = r.replicas(cfg.Replicas)
	return r.JetStream.CreateOrUpdateObjectStore(ctx, cfg)
}
