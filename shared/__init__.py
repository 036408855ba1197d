"""govproj platform library: what every service shares (events, persistence, time, policy)."""
