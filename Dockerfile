# Build: a static binary with migrations, templates, static files and fonts embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
# gofpdf is built from this copy (go.mod's replace).
COPY third_party ./third_party
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hawker .

# Run: a small image, a non-root user, nothing else.
FROM alpine:3.20
RUN apk add --no-cache ca-certificates tzdata \
 && adduser -D -H -u 10001 hawker
COPY --from=build /out/hawker /usr/local/bin/hawker
USER hawker
ENV HAWKER_ADDR=:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["hawker"]
CMD ["serve"]
