"""Events between services: CloudEvents on NATS JetStream, with a transactional outbox and an idempotent inbox."""
