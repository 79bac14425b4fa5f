//! A mock identity service (device-code login) and a webhook sender (placeholder; being written).
