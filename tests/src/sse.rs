//! The workspace event stream endpoint (placeholder; being written).
