"""The Rimo webhook receiver: a Falcon app verifying, validating and deduplicating deliveries."""
