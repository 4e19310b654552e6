"""Offline pickup (design.md "Offline"): verifiers of a site's active codes for its kiosk's agent, and the
settlement of what the agent did while it could not reach the service."""
