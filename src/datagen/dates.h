/* dates.h - proleptic Gregorian calendar arithmetic in UTC, without the C
 * library's time functions (no time zone, locale or time() involved). */
#ifndef SPARKIFY_DATES_H
#define SPARKIFY_DATES_H

#include <stdint.h>

typedef struct Date {
    int year, month, day; /* month 1-12, day 1-31 */
} Date;

/* Days since 1970-01-01 for a valid date (negative before 1970). */
int64_t date_to_days(Date d);
Date date_from_days(int64_t days);

/* Parses exactly "YYYY-MM-DD" (a real calendar day, year 1970-2200).
 * Returns 0 and fills *out, or -1. */
int date_parse(const char *s, Date *out);

#endif
