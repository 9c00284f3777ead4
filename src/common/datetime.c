/* datetime.c - Redshift COPY date and time formats; see datetime.h.
 *
 * Not on the hot path of the shipped models (their times are epoch numbers);
 * written for clarity: one small cursor, one field reader per part.
 */
#include "datetime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct Dt {
    int year, month, day, hour, minute, second, usec;
    int has_time;
    int zone;         /* 1: an offset (or other zone) was given */
    int off_sign;     /* for offsets: +1 / -1 */
    int off_h, off_m; /* offset hours and minutes */
} Dt;

static int take_digits(const char **p, const char *e, int min, int max, int *v)
{
    int n = 0, x = 0;
    while (*p < e && n < max && isdigit((unsigned char)**p)) {
        x = x * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < min)
        return -1;
    *v = x;
    return 0;
}

/* ".f{1,6}" after seconds; more than 6 digits is refused (Redshift: "up to a
 * microsecond level of detail"). */
static int take_fraction(const char **p, const char *e, int *usec, char *why)
{
    *usec = 0;
    if (*p >= e || **p != '.')
        return 0;
    (*p)++;
    int n = 0, x = 0;
    while (*p < e && isdigit((unsigned char)**p)) {
        if (n == 6) {
            snprintf(why, 128, "more than 6 digits of fractional seconds");
            return -1;
        }
        x = x * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0) {
        snprintf(why, 128, "no digits after the decimal point of the seconds");
        return -1;
    }
    while (n++ < 6)
        x *= 10;
    *usec = x;
    return 0;
}

/* An offset: +H, +HH, +H:MM, +HH:MM, +HHMM (and - forms). */
static int take_offset(const char **p, const char *e, Dt *d)
{
    const char *q = *p;
    if (q >= e || (*q != '+' && *q != '-'))
        return -1;
    int sign = *q == '-' ? -1 : 1;
    q++;
    int h, m = 0;
    const char *hs = q;
    if (take_digits(&q, e, 1, 2, &h))
        return -1;
    if (q < e && *q == ':') {
        q++;
        if (take_digits(&q, e, 2, 2, &m))
            return -1;
    } else if (q - hs == 2 && q < e && isdigit((unsigned char)*q)) {
        if (take_digits(&q, e, 2, 2, &m))
            return -1;
    }
    if (h > 15 || m > 59)
        return -1;
    d->zone = 1;
    d->off_sign = sign;
    d->off_h = h;
    d->off_m = m;
    *p = q;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int validate(const Dt *d, char *why)
{
    if (d->year < 1 || d->year > 9999) {
        snprintf(why, 128, "year %d out of range", d->year);
        return -1;
    }
    if (d->month < 1 || d->month > 12) {
        snprintf(why, 128, "month %d out of range", d->month);
        return -1;
    }
    if (d->day < 1 || d->day > days_in_month(d->year, d->month)) {
        snprintf(why, 128, "day %d out of range for %04d-%02d", d->day, d->year, d->month);
        return -1;
    }
    if (d->hour > 23 || d->minute > 59 || d->second > 59) {
        snprintf(why, 128, "time %02d:%02d:%02d out of range", d->hour, d->minute, d->second);
        return -1;
    }
    return 0;
}

static int render(const Dt *d, DtKind k, char *out)
{
    if (k == DT_DATE)
        return snprintf(out, 64, "%04d-%02d-%02d", d->year, d->month, d->day);
    int n = snprintf(out, 64, "%04d-%02d-%02d %02d:%02d:%02d", d->year, d->month, d->day, d->hour,
                     d->minute, d->second);
    if (d->usec)
        n += snprintf(out + n, 64 - (size_t)n, ".%06d", d->usec);
    if (k == DT_TIMESTAMPTZ) {
        if (d->zone)
            n += snprintf(out + n, 64 - (size_t)n, "%c%02d:%02d", d->off_sign < 0 ? '-' : '+',
                          d->off_h, d->off_m);
        else
            n += snprintf(out + n, 64 - (size_t)n, "+00");
    }
    return n;
}

/* YYYY-MM-DD[ HH:MI:SS[.f][OF]] as the default formats define it. */
static int parse_default(const char *s, const char *e, DtKind k, Dt *d, char *why)
{
    const char *p = s;
    if (take_digits(&p, e, 4, 4, &d->year) || p >= e || *p++ != '-' ||
        take_digits(&p, e, 2, 2, &d->month) || p >= e || *p++ != '-' ||
        take_digits(&p, e, 2, 2, &d->day))
        goto bad;
    if (k == DT_DATE) {
        if (p != e)
            goto bad;
        return 0;
    }
    if (p >= e || *p++ != ' ' || take_digits(&p, e, 2, 2, &d->hour) || p >= e || *p++ != ':' ||
        take_digits(&p, e, 2, 2, &d->minute) || p >= e || *p++ != ':' ||
        take_digits(&p, e, 2, 2, &d->second))
        goto bad;
    if (take_fraction(&p, e, &d->usec, why))
        return -1;
    d->has_time = 1;
    if (p < e && take_offset(&p, e, d))
        goto bad;
    if (p != e)
        goto bad;
    return 0;
bad:
    snprintf(why, 128, "does not match the default format '%s' (set time_format or date_format)",
             k == DT_DATE        ? "YYYY-MM-DD"
             : k == DT_TIMESTAMP ? "YYYY-MM-DD HH:MI:SS"
                                 : "YYYY-MM-DD HH:MI:SSOF");
    return -1;
}

static const char *const months[] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};

/* Format tokens, longest first. */
typedef enum Tok {
    T_YYYY,
    T_YY,
    T_MON,
    T_MM,
    T_DD,
    T_HH24,
    T_HH12,
    T_HH,
    T_MI,
    T_SS,
    T_AM,
    T_PM,
    T_LIT
} Tok;
static const struct {
    const char *w;
    Tok t;
} toks[] = {{"YYYY", T_YYYY}, {"YY", T_YY},     {"MON", T_MON},   {"MM", T_MM},
            {"DD", T_DD},     {"HH24", T_HH24}, {"HH12", T_HH12}, {"HH", T_HH},
            {"MI", T_MI},     {"SS", T_SS},     {"AM", T_AM},     {"PM", T_PM}};

static Tok next_tok(const char **f)
{
    for (size_t i = 0; i < sizeof toks / sizeof toks[0]; i++) {
        size_t n = strlen(toks[i].w);
        if (strncmp(*f, toks[i].w, n) == 0) {
            *f += n;
            return toks[i].t;
        }
    }
    return T_LIT;
}

int dt_check_format(const char *fmt, char *why)
{
    if (!*fmt) {
        snprintf(why, 128, "empty format");
        return -1;
    }
    for (const char *f = fmt; *f;) {
        if (isalpha((unsigned char)*f)) {
            const char *at = f;
            if (next_tok(&f) == T_LIT) {
                int w = 0;
                while (isalpha((unsigned char)at[w]) && w < 16)
                    w++;
                snprintf(why, 128,
                         "unknown part \"%.*s\" (known: YYYY YY MM MON DD HH HH24 HH12 MI SS AM "
                         "PM; no time zone)",
                         w, at);
                return -1;
            }
        } else {
            f++;
        }
    }
    return 0;
}

static int parse_format(const char *s, const char *e, const char *fmt, DtKind k, Dt *d, char *why)
{
    const char *p = s;
    int pm = -1, h12 = 0;
    d->year = 1970;
    d->month = d->day = 1;
    for (const char *f = fmt; *f;) {
        if (!isalpha((unsigned char)*f)) {
            if (p >= e || *p != *f)
                goto bad;
            p++;
            f++;
            continue;
        }
        Tok t = next_tok(&f);
        int v = 0;
        switch (t) {
        case T_YYYY:
            if (take_digits(&p, e, 4, 4, &d->year))
                goto bad;
            break;
        case T_YY:
            if (take_digits(&p, e, 2, 2, &v))
                goto bad;
            d->year = v < 70 ? 2000 + v : 1900 + v;
            break;
        case T_MM:
            if (take_digits(&p, e, 1, 2, &d->month))
                goto bad;
            break;
        case T_MON: {
            int found = 0;
            for (int m = 0; m < 12 && !found; m++) {
                size_t full = strlen(months[m]);
                if ((size_t)(e - p) >= full && strncasecmp(p, months[m], full) == 0) {
                    p += full;
                    d->month = m + 1;
                    found = 1;
                } else if (e - p >= 3 && strncasecmp(p, months[m], 3) == 0) {
                    p += 3;
                    d->month = m + 1;
                    found = 1;
                }
            }
            if (!found)
                goto bad;
            break;
        }
        case T_DD:
            if (take_digits(&p, e, 1, 2, &d->day))
                goto bad;
            break;
        case T_HH:
        case T_HH24:
            if (take_digits(&p, e, 1, 2, &d->hour))
                goto bad;
            d->has_time = 1;
            break;
        case T_HH12:
            if (take_digits(&p, e, 1, 2, &d->hour) || d->hour < 1 || d->hour > 12)
                goto bad;
            h12 = 1;
            d->has_time = 1;
            break;
        case T_MI:
            if (take_digits(&p, e, 1, 2, &d->minute))
                goto bad;
            break;
        case T_SS:
            if (take_digits(&p, e, 1, 2, &d->second))
                goto bad;
            if (take_fraction(&p, e, &d->usec, why))
                return -1;
            break;
        case T_AM:
        case T_PM:
            if (e - p >= 2 && strncasecmp(p, "AM", 2) == 0)
                pm = 0;
            else if (e - p >= 2 && strncasecmp(p, "PM", 2) == 0)
                pm = 1;
            else
                goto bad;
            p += 2;
            break;
        case T_LIT: goto bad;
        }
    }
    if (p != e)
        goto bad;
    if (h12 || pm >= 0) {
        if (d->hour == 12)
            d->hour = 0;
        if (pm == 1)
            d->hour += 12;
    }
    if (k == DT_DATE)
        d->hour = d->minute = d->second = d->usec = 0; /* time information is ignored */
    return 0;
bad:
    snprintf(why, 128, "does not match the format '%s'", fmt);
    return -1;
}

/* 'auto': the server parses; refuse what names no fixed instant and note a zone. */
static int check_auto(const char *s, const char *e, int *had_zone, char *why)
{
    int letters = 0, digits = 0;
    for (const char *p = s; p < e; p++) {
        if (isalpha((unsigned char)*p))
            letters++;
        else if (isdigit((unsigned char)*p))
            digits++;
        else if ((unsigned char)*p < 0x20 || *p == '\\') {
            snprintf(why, 128, "control character or backslash in a date or time");
            return -1;
        }
    }
    if (!digits) {
        snprintf(why, 128,
                 "names no fixed date or time (words like now, today, epoch or infinity are "
                 "refused: a load must not depend on when it ran)");
        return -1;
    }
    (void)letters;
    /* a zone follows the time: after the first ':' a '+', '-', 'Z' or a word that is not AM/PM */
    const char *c = memchr(s, ':', (size_t)(e - s));
    if (c) {
        for (const char *p = c; p < e; p++) {
            if (*p == '+' || *p == '-') {
                *had_zone = 1;
                break;
            }
            if (isalpha((unsigned char)*p)) {
                if (e - p >= 2 && (strncasecmp(p, "AM", 2) == 0 || strncasecmp(p, "PM", 2) == 0) &&
                    (e - p == 2 || !isalpha((unsigned char)p[2]))) {
                    p++;
                    continue;
                }
                *had_zone = 1;
                break;
            }
        }
    }
    return 0;
}

int dt_convert(const char *s, size_t n, DtKind k, const char *fmt, char *out, int *had_zone,
               char *why)
{
    const char *e = s + n;
    Dt d;
    memset(&d, 0, sizeof d);
    *had_zone = 0;
    if (fmt && strcmp(fmt, "auto") == 0) {
        if (check_auto(s, e, had_zone, why))
            return -1;
        if (n >= 63) {
            snprintf(why, 128, "too long for a date or time");
            return -1;
        }
        memcpy(out, s, n);
        out[n] = '\0';
        return (int)n;
    }
    if (fmt ? parse_format(s, e, fmt, k, &d, why) : parse_default(s, e, k, &d, why))
        return -1;
    if (validate(&d, why))
        return -1;
    *had_zone = d.zone;
    if (k == DT_TIMESTAMP)
        d.zone = 0; /* r_Datetime_types: time zone values in input strings are ignored */
    return render(&d, k, out);
}

/* ---- epochs ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static char *put_uint(char *o, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        *o++ = tmp[--n];
    return o;
}

int epoch_format(int64_t v, int millis, char out[48])
{
    int64_t secs = v, ms = 0;
    if (millis) {
        secs = floor_div(v, 1000);
        ms = v % 1000; /* no v - secs * 1000: that overflows near INT64_MIN */
        if (ms < 0)
            ms += 1000;
    }
    if (secs > INT64_C(10000000000000000) || secs < -INT64_C(10000000000000000))
        return -1;
    int64_t days = floor_div(secs, 86400), sod = secs - days * 86400;
    /* civil_from_days (H. Hinnant), proleptic Gregorian */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < -4712 || y > 294276)
        return -1;
    int bc = y <= 0;
    char *o = out;
    o = put_uint(o, (uint64_t)(bc ? 1 - y : y), 4);
    *o++ = '-';
    o = put_uint(o, (uint64_t)m, 2);
    *o++ = '-';
    o = put_uint(o, (uint64_t)d, 2);
    *o++ = ' ';
    o = put_uint(o, (uint64_t)(sod / 3600), 2);
    *o++ = ':';
    o = put_uint(o, (uint64_t)(sod / 60 % 60), 2);
    *o++ = ':';
    o = put_uint(o, (uint64_t)(sod % 60), 2);
    if (millis) {
        *o++ = '.';
        o = put_uint(o, (uint64_t)ms, 3);
    }
    if (bc) {
        memcpy(o, " BC", 3);
        o += 3;
    }
    *o = '\0';
    return (int)(o - out);
}
