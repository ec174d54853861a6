"""The admin's web dashboard: what the community asks, what the bot solved, who helped (`peerbot dashboard`)."""

TOKEN_ENV = "PEERBOT_DASHBOARD_TOKEN"
