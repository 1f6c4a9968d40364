"""The reference residency stack. See images/host/CONTRACT.md for what it promises."""
