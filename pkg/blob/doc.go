// Package blob is where file bytes live: attachments, photos, logos and
// uploads, behind Store, a small interface of streamed puts and gets.
//
// ObjectStore, the only implementation, keeps them in a NATS JetStream
// Object Store bucket, which both run modes already have (the embedded
// server in the standalone process, the cluster in distributed mode), so
// files need no other system to run or back up. Names are chosen by the
// owning service, "<tenant>/<file>" for tenant data, so that DeletePrefix
// of "<tenant>/" removes a whole workspace's files.
//
// Deleting leaves nothing behind: the Object Store's own Delete keeps a
// "deleted" marker that still carries the name (a tenant and file id), so
// Delete and DeletePrefix purge the marker too.
//
// An S3-compatible backend (S3, MinIO, R2, …) would map one to one and is
// not built: a bucket per Object Store bucket (or one bucket with the
// Object Store bucket as key prefix), Put → PutObject (multipart upload for
// a stream of unknown length), Get → GetObject (NoSuchKey → ErrNotFound,
// ContentLength → size), Delete → DeleteObject (idempotent already),
// DeletePrefix → ListObjectsV2 with Prefix, then DeleteObjects in batches
// of 1000; the bucket TTL → a lifecycle expiration rule.
package blob
