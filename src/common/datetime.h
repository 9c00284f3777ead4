/* datetime.h - Redshift COPY's DATEFORMAT/TIMEFORMAT rules for date and time strings.
 *
 * The runner's PostgreSQL path must accept exactly the date and time text
 * Redshift's COPY accepts, and load the same instant.  The rules, from the
 * Redshift developer guide (docs.aws.amazon.com/redshift/latest/dg/):
 *  - no format given (r_DATEFORMAT_and_TIMEFORMAT_strings,
 *    copy-parameters-data-conversion): DATE is 'YYYY-MM-DD'; TIMESTAMP is
 *    'YYYY-MM-DD HH:MI:SS' with optional fractional seconds up to
 *    microseconds; TIMESTAMPTZ is the same followed by an optional offset OF
 *    ("-8:00").  Nothing else: no 'T', no slashes, no words.
 *  - an explicit format string: the dateparts YYYY YY MM MON DD, the
 *    timeparts HH HH24 HH12 MI SS (fractional seconds allowed after SS) AM
 *    PM, and separators matched literally.  No time zone specifier.
 *  - 'auto' (automatic-recognition): the forms Redshift's datetime parser
 *    recognises (it is PostgreSQL's).  The runner hands those to the
 *    server's parser with DateStyle ISO, MDY and TimeZone UTC (Redshift's
 *    defaults), and refuses the words that name no fixed instant ("now",
 *    "today", "epoch", ...) so a load never depends on when it ran.
 *  - TIMESTAMP ignores a time zone in the input (r_Datetime_types); the
 *    parser reports that it saw one so the runner can count and warn.
 *    TIMESTAMPTZ converts an offset to UTC; no offset means UTC.
 * Results are written as canonical text PostgreSQL reads unambiguously.
 */
#ifndef STARGEN_DATETIME_H
#define STARGEN_DATETIME_H

#include <stddef.h>
#include <stdint.h>

typedef enum DtKind { DT_DATE, DT_TIMESTAMP, DT_TIMESTAMPTZ } DtKind;

/* Parses s[0..n) for a column of kind k.  fmt: NULL for the default format,
 * "auto", or an explicit format string.  On success writes NUL-terminated
 * text to out (at least 64 bytes), sets *had_zone when the input carried a
 * time zone, and returns its length; returns -1 with a reason in why (at
 * least 128 bytes) when Redshift's COPY would reject the value. */
int dt_convert(const char *s, size_t n, DtKind k, const char *fmt, char *out, int *had_zone,
               char *why);

/* Checks an explicit format string (gen and the runner): 0, or -1 with a
 * reason in why (at least 128 bytes). */
int dt_check_format(const char *fmt, char *why);

/* Formats epoch seconds*1000+millis (millis != 0: v is milliseconds, else
 * seconds) as "YYYY-MM-DD HH:MM:SS[.mmm][ BC]" in UTC.  Returns the length,
 * or -1 when the year is outside PostgreSQL's timestamp range. */
int epoch_format(int64_t v, int millis, char out[48]);

#endif
