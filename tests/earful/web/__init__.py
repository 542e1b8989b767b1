"""Dashboard tests: real uvicorn on 127.0.0.1, real HTTP, real headless Chromium."""
