//! WebSocket sessions (placeholder; being written).
