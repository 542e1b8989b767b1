"""Scrapy settings for Earful's collectors: polite defaults only, no secrets, no I/O.

The crawl launcher (``crawlers.crawl_parent``) adds the per-crawl settings on top:
``EARFUL_SOURCE`` (the config's source name), ``EARFUL_BRANDS`` (brand rules as
dicts), ``EARFUL_OWN_ACCOUNTS`` (the brand's account names on the source, whose
posts are its replies) and ``EARFUL_DATABASE_URL``. Without them the match and store pipelines
switch themselves off, so ``scrapy crawl feed -a url=...`` still works for a look.
The operator's ``[crawler]`` table overrides the politeness values below through
``crawlers.politeness.Politeness``; these are its defaults.
"""

BOT_NAME = "earful"

SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

EARFUL_AGENT = "Earful/0.1"
EARFUL_HOME = "https://github.com/earful/earful"
USER_AGENT = f"{EARFUL_AGENT} (+{EARFUL_HOME})"

# Be a good citizen: obey robots.txt, few parallel requests per site, at least a
# second between them, and AutoThrottle to slow down further when a site is slow.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0  # AutoThrottle's minimum delay, randomised 0.5x to 1.5x
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024

# Retries wait before they go (crawlers.backoff): Retry-After when a 429 or 503
# says how long, else EARFUL_RETRY_BACKOFF doubled per attempt, at most
# EARFUL_RETRY_BACKOFF_MAX; a Retry-After longer than that is not waited for.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
EARFUL_RETRY_BACKOFF = 1.0
EARFUL_RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.backoff.BackoffRetryMiddleware": 550,
}

# Counts pages and the items read from them, so a crawl that extracts nothing
# is reported, not taken for a quiet day (crawlers.health).
SPIDER_MIDDLEWARES = {"crawlers.health.ExtractionHealthMiddleware": 950}

# Items go through the pipelines one at a time (they are synchronous), so Scrapy's
# default of 100 would only start 100 idle asyncio tasks for every page.
CONCURRENT_ITEMS = 8

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 would otherwise listen on a port
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "crawlers.pipelines.NormalizePipeline": 100,
    "crawlers.pipelines.MatchPipeline": 200,
    "crawlers.pipelines.LanguagePipeline": 250,
    "crawlers.pipelines.StorePipeline": 300,
}

FEED_EXPORT_ENCODING = "utf-8"
