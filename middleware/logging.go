package middleware

import (
	"context"
	"log/slog"
	"time"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// LoggingOptions configures [Logging]. The zero value logs starts and
// finishes at [slog.LevelInfo] and failures at [slog.LevelError] through
// [slog.Default], without the stage input and output.
type LoggingOptions struct {
	// Logger receives the log records. Default: [slog.Default], read when
	// [Logging] is called.
	Logger *slog.Logger
	// Level is the level of the start and finish records. It is read on
	// every record, so a [*slog.LevelVar] can change it while runs go on.
	// Default: [slog.LevelInfo].
	Level slog.Leveler
	// FailureLevel is the level of the record for a failed stage call.
	// Default: [slog.LevelError].
	FailureLevel slog.Leveler
	// IncludeValues adds the stage input to the start record and the output
	// to the finish record, as the attributes "input" and "output". Off by
	// default, because stage values may contain personal data or be large.
	IncludeValues bool
}

// Logging returns a middleware that logs each stage call: "stage started"
// before it, then either "stage finished" or, once, "stage failed" with the
// error. Every record has the attribute "stage" with the stage name, and the
// last one has "duration", the time the call took, as a [time.Duration].
// Records are made with [slog.Logger.LogAttrs] and the call's context, so
// handlers can read values such as the current span from it.
//
// The middleware returns the output and error of the call unchanged. Placed
// inside [Retry] it logs every attempt, and outside it logs the stage once.
// It is safe for concurrent use.
func Logging[S any](opts LoggingOptions) pipeline.Middleware[S] {
	l := newStageLogger(opts)
	return func(
		ctx context.Context, stage string, input any, state *S, next pipeline.Handler[S],
	) (any, error) {
		l.started(ctx, stage, input)
		start := time.Now()
		out, err := next(ctx, input, state)
		l.ended(ctx, stage, out, err, time.Since(start))
		return out, err
	}
}

// stageLogger is a [LoggingOptions] with its defaults filled in.
type stageLogger struct {
	logger        *slog.Logger
	level         slog.Leveler
	failureLevel  slog.Leveler
	includeValues bool
}

func newStageLogger(opts LoggingOptions) stageLogger {
	l := stageLogger{
		logger:        opts.Logger,
		level:         opts.Level,
		failureLevel:  opts.FailureLevel,
		includeValues: opts.IncludeValues,
	}
	if l.logger == nil {
		l.logger = slog.Default()
	}
	if l.level == nil {
		l.level = slog.LevelInfo
	}
	if l.failureLevel == nil {
		l.failureLevel = slog.LevelError
	}
	return l
}

func (l stageLogger) started(ctx context.Context, stage string, input any) {
	attrs := []slog.Attr{slog.String("stage", stage)}
	if l.includeValues {
		attrs = append(attrs, slog.Any("input", input))
	}
	l.logger.LogAttrs(ctx, l.level.Level(), "stage started", attrs...)
}

func (l stageLogger) ended(ctx context.Context, stage string, out any, err error, d time.Duration) {
	attrs := []slog.Attr{slog.String("stage", stage), slog.Duration("duration", d)}
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
		l.logger.LogAttrs(ctx, l.failureLevel.Level(), "stage failed", attrs...)
		return
	}
	if l.includeValues {
		attrs = append(attrs, slog.Any("output", out))
	}
	l.logger.LogAttrs(ctx, l.level.Level(), "stage finished", attrs...)
}
