# One image for every service of docker-compose.yml: the receiver and the contract runner.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY receiver ./receiver
COPY mock_rimo ./mock_rimo
COPY contract_tests ./contract_tests
RUN pip install . && useradd --system --uid 10001 --no-create-home rimo

USER rimo
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/webhooks/rimo/ready', timeout=2)"]
CMD ["rimo-receiver", "serve", "--host", "0.0.0.0", "--port", "8000"]
