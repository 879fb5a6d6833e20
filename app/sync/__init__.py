"""Sync: change outbox export, package format (crypto), import/merge, keys, transports."""
