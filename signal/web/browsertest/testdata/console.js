console.error("outbox kapot", 42);
