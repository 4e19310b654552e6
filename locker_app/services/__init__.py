"""The rules of the locker: plain functions over a session and plain values. They never commit."""
