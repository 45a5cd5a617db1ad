"""Broadcasts: notices written by community managers, sent through the outbox."""
