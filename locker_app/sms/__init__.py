"""SMS: templates, the outbox, senders (console, Twilio) and the relay that moves one to the other."""
