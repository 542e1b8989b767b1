"""The application: config, pipeline, scheduler, CLI and demo tying the packages together."""
