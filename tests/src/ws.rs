//! WebSocket endpoints for observers and text chat (placeholder; being written).
