"""What every blueprint shares: problem answers, authentication, the request's transaction."""
