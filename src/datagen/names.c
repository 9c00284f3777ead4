/* names.c - word lists and text builders; see names.h for the contract. */
#include "names.h"

#include <string.h>

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static const char *const first_m[] = {
    "Walter",   "Isaac",     "Jacob",  "Ryan",    "Aiden",    "Jayden",  "Liam",    "Noah",
    "Mason",    "Ethan",     "Logan",  "Lucas",   "Elijah",   "James",   "Jordan",  "Kevin",
    "Brayden",  "Cooper",    "Tucker", "Connar",  "Theodore", "Matthew", "Wyatt",   "Sebastian",
    "Dominick", "Jose",      "Carlos", "Andrés",  "José",     "Chase",   "Colm",    "Oliver",
    "Mohammad", "Alexander", "Samuel", "Emilio",  "Benjamin", "Rylan",   "Spencer", "Cash",
    "Jonah",    "Tegan",     "René",   "Zachary", "Kai",
};

static const char *const first_f[] = {
    "Kaylee",     "Lily",      "Chloe",   "Ava",     "Sophia",    "Emily",    "Layla",   "Anabelle",
    "Jacqueline", "Katherine", "Madison", "Aleena",  "Harper",    "Jizelle",  "Stefany", "Lakyla",
    "Mikayla",    "Rylie",     "Avery",   "Kinsley", "Tegan",     "Sara",     "Molly",   "Celeste",
    "Lucero",     "Brooklyn",  "Zoë",     "Chloé",   "Renée",     "Amélie",   "Jordyn",  "Morgan",
    "Hannah",     "Sienna",    "Natalie", "Kate",    "Elizabeth", "Isabella", "Sofía",   "Ainsley",
    "Alivia",     "Maia",      "Ruby",    "Nora",
};

static const char *const last_names[] = {
    "Frye",     "Summers",   "Valdez",  "Koch",      "Levine",   "Harrell", "Cruz",   "Kirby",
    "Roth",     "Hogan",     "Owens",   "Sanchez",   "Garrison", "Jones",   "Smith",  "Williams",
    "Russell",  "Clark",     "Benson",  "Moore",     "Griffin",  "Johnson", "Larson", "Lynch",
    "Jensen",   "Perez",     "Freeman", "Dunlap",    "Stanley",  "Newton",  "Riddle", "Santana",
    "Hoffman",  "Rodriguez", "O'Brien", "O'Neill",   "D'Angelo", "Núñez",   "Müller", "Thompson",
    "Adams",    "Beck",      "Cuevas",  "Weaver",    "Howe",     "Mcmahon", "Fuller", "Miller",
    "Gonzalez", "Ramos",     "Pope",    "Gibbs",     "Schultz",  "Hahn",    "Wright", "Campbell",
    "Lee",      "Carter",    "Davis",   "Robertson", "Kim",      "Nguyen",  "Ellis",
};

static const char *const metros[] = {
    "San Francisco-Oakland-Hayward, CA",
    "Phoenix-Mesa-Scottsdale, AZ",
    "Saginaw, MI",
    "Atlanta-Sandy Springs-Roswell, GA",
    "Augusta-Richmond County, GA-SC",
    "Birmingham-Hoover, AL",
    "Chicago-Naperville-Elgin, IL-IN-WI",
    "Columbia, SC",
    "Dallas-Fort Worth-Arlington, TX",
    "Detroit-Warren-Dearborn, MI",
    "Elkhart-Goshen, IN",
    "Eugene, OR",
    "Klamath Falls, OR",
    "Houston-The Woodlands-Sugar Land, TX",
    "Indianapolis-Carmel-Anderson, IN",
    "La Crosse-Onalaska, WI-MN",
    "Lake Havasu City-Kingman, AZ",
    "Lansing-East Lansing, MI",
    "Las Cruces, NM",
    "London, KY",
    "Longview, TX",
    "Los Angeles-Long Beach-Anaheim, CA",
    "Lubbock, TX",
    "Marinette, WI-MI",
    "Miami-Fort Lauderdale-West Palm Beach, FL",
    "Milwaukee-Waukesha-West Allis, WI",
    "Minneapolis-St. Paul-Bloomington, MN-WI",
    "Myrtle Beach-Conway-North Myrtle Beach, SC-NC",
    "Nashville-Davidson--Murfreesboro--Franklin, TN",
    "New York-Newark-Jersey City, NY-NJ-PA",
    "Philadelphia-Camden-Wilmington, PA-NJ-DE-MD",
    "Portland-Vancouver-Hillsboro, OR-WA",
    "Raleigh, NC",
    "Red Bluff, CA",
    "Richmond, VA",
    "Riverside-San Bernardino-Ontario, CA",
    "Salinas, CA",
    "San Jose-Sunnyvale-Santa Clara, CA",
    "Santa Maria-Santa Barbara, CA",
    "Seattle-Tacoma-Bellevue, WA",
    "Tampa-St. Petersburg-Clearwater, FL",
    "Tucson, AZ",
    "Washington-Arlington-Alexandria, DC-VA-MD-WV",
    "Winston-Salem, NC",
};

/* About two in three user agents carry literal double quotes, as in the
 * real logs. */
static const char *const agents[] = {
    "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.143 Safari/537.36\"",
    "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.78.2 (KHTML, like Gecko) "
    "Version/7.0.6 Safari/537.78.2\"",
    "Mozilla/5.0 (Windows NT 5.1; rv:31.0) Gecko/20100101 Firefox/31.0",
    "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu "
    "Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36\"",
    "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/37.0.2062.94 Safari/537.36\"",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:31.0) Gecko/20100101 Firefox/31.0",
    "\"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.125 Safari/537.36\"",
    "\"Mozilla/5.0 (Windows NT 6.3; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.143 Safari/537.36\"",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0",
    "\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like "
    "Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\"",
    "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.143 Safari/537.36\"",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0)",
    "\"Mozilla/5.0 (Windows NT 5.1) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.143 Safari/537.36\"",
    "Mozilla/5.0 (X11; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0",
    "\"Mozilla/5.0 (iPad; CPU OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) "
    "Version/7.0 Mobile/11D257 Safari/9537.53\"",
};

static const Place places[] = {
    {"Nashville, TN.", 3616778, -8677836},
    {"California - SF", 3777916, -12242005},
    {"Denmark", 5627609, 951695},
    {"Zagreb Croatia", 4580726, 1596760},
    {"Gainesville, FL", 2965163, -8232483},
    {"Hamtramck, MI", 4239282, -8304964},
    {"New York, NY", 4071455, -7400712},
    {"London, England", 5150632, -12714},
    {"Los Angeles, CA", 3405349, -11824532},
    {"Chicago, IL", 4188415, -8763241},
    {"Detroit, MI", 4233168, -8304792},
    {"Seattle, WA", 4760356, -12232944},
    {"Austin, TX", 3026759, -9774298},
    {"Atlanta, GA", 3374831, -8439111},
    {"Kingston, Jamaica", 1797121, -7679165},
    {"Montréal, Québec, Canada", 4551232, -7355478},
    {"Reykjavík, Iceland", 6414263, -2194155},
    {"São Paulo, Brazil", -2354701, -4663599},
    {"México D.F.", 1943261, -9913320},
    {"Köln, Germany", 5093753, 696003},
    {"Paris, France", 4885693, 235108},
    {"Stockholm, Sweden", 5933272, 1806487},
    {"Sydney, Australia", -3386963, 15120695},
    {"Tokyo, Japan", 3566995, 13977125},
    {"Dublin, Ireland", 5334410, -626783},
    {"Manchester, England", 5347859, -224881},
    {"Berlin, Germany", 5251607, 1337698},
    {"Lagos, Nigeria", 645506, 339418},
    {"Memphis, TN", 3514968, -9004892},
    {"New Orleans, LA", 2995434, -9007513},
    {"Bergen, Norway", 6039210, 532305},
    {"Buenos Aires, Argentina", -3461145, -5837785},
    {"Havana, Cuba", 2313808, -8236449},
    {"Minneapolis/St. Paul, MN", 4497903, -9326493},
    {"Toronto, Ontario, Canada", 4364856, -7938533},
    {"Glasgow, Scotland", 5585797, -424251},
};

/* Real artist names with the characters that matter. */
static const char *const famous[] = {
    "Chase & Status",
    "Beyoncé",
    "Sigur Rós",
    "Björk",
    "Mötley Crüe",
    "Des'ree",
    "Guns N' Roses",
    "AC/DC",
    "Motörhead",
    "Françoise Hardy",
    "Zé Ramalho",
    "Weird Al\" Yankovic",
    "Old 97's",
    "Amadou & Mariam",
    "Café Tacuba",
    "Hüsker Dü",
    "Los Fabulosos Cadillacs",
    "Simon & Garfunkel",
    "Blue Öyster Cult",
    "Maxïmo Park",
    "Hymie's Basement",
    "Ke$ha",
    "!!!",
    "Florence + The Machine",
    "Sinéad O'Connor",
    "Mr Oizo",
    "Tamba Trio",
    "Montserrat Caballé",
    "Jürgen Drews",
    "Ólafur Arnalds",
    "Édith Piaf",
    "Sonic Youth",
    "Dvořák",
    "Jay-Z",
    "N*E*R*D",
    "Boney M.",
    "Earth, Wind & Fire",
    "Crosby, Stills & Nash",
    "The B-52's",
    "Sebastián Yatra",
};

static const char *const adjectives[] = {
    "Black",   "Blue",   "Golden", "Silent", "Electric", "Broken", "Wild",   "Lonely",
    "Crystal", "Velvet", "Neon",   "Hollow", "Burning",  "Frozen", "Little", "Sweet",
    "Dark",    "Bright", "Lost",   "Secret", "Holy",     "Crazy",  "Empty",  "Rusty",
    "Strange", "Young",  "Sacred", "Cold",   "Sonic",    "Cosmic", "Dirty",  "Savage",
    "Perfect", "Heavy",  "Wicked", "Dizzy",  "Bitter",
};

static const char *const nouns[] = {
    "Heart",   "Fire",     "River",       "Moon",    "Sun",     "Night",      "Road",
    "Rain",    "Dream",    "City",        "Ocean",   "Star",    "Ghost",      "Machine",
    "Garden",  "Mirror",   "Train",       "Highway", "Angel",   "Wolf",       "Summer",
    "Winter",  "Shadow",   "Thunder",     "Diamond", "Radio",   "Island",     "Storm",
    "Window",  "Kingdom",  "Love",        "Soul",    "Tonne",   "Gun",        "Paradise",
    "Horizon", "Echo",     "Mountain",    "Café",    "Corazón", "Mañana",     "Noël",
    "Déjà Vu", "Señorita", "Niño",        "Été",     "Ça Va",   "Tokyo 東京", "Über Alles",
    "Fiancée", "Piñata",   "Smörgåsbord",
};

static const char *const plural[] = {
    "Lions",    "Tigers",   "Roses",    "Strangers", "Kings",   "Thieves", "Sisters",
    "Brothers", "Drifters", "Saints",   "Pilots",    "Wolves",  "Crows",   "Ramblers",
    "Monks",    "Rebels",   "Dreamers", "Hearts",    "Ghosts",  "Cowboys", "Vandals",
    "Lovers",   "Machines", "Horses",   "Shadows",   "Hornets",
};

static const char *const verbs[] = {
    "Take", "Hold", "Love", "Leave", "Call", "Kiss", "Save",  "Follow", "Find",
    "Show", "Tell", "Wake", "Bring", "Let",  "Give", "Teach", "Drive",  "Hear",
};

static const char *const objects[] = {"Me", "You", "Her", "Him", "Us", "It", "Them"};

static const char *const suffixes[] = {
    " (Album Version)",
    " (Remix)",
    " (Live)",
    " (Radio Edit)",
    " [Explicit]",
    " (Acoustic)",
    " (Extended Mix)",
    " (LP Version)",
    " (Demo)",
    " - Remastered",
    " (Back 2 Basics Mix)",
    " (Remastered 2009)",
    " (12\" Version)",
    " (Live/Unplugged)",
};

static const char *const fixed_titles[] = {
    "Don't Stop Me Now",
    "Rock & Roll",
    "Theme From \"Rocky\"",
    "Live/Dead",
    "24/7",
    "It's Only Rock 'n' Roll",
    "Ain't No Sunshine",
    "\"Heroes\"",
    "Señorita",
    "Déjà Vu",
    "Ça Plane Pour Moi",
    "You're The One",
    "Yellow",
    "Undo",
    "Revelry",
    "Sehr kosmisch",
    "Hey Ya!",
    "Love/Hate",
    "What's Up?",
    "Ten Tonne",
    "Cosmic Love",
    "Horn Concerto No. 4 in E flat K495: II. Romance (Andante cantabile)",
    "A Letra \"A\"",
    "Amish Paradise (Parody of \"Gangsta's Paradise\")",
    "Blame It on My Youth (From \"Let's Get Lost\")",
    "Übermensch",
    "Noël Blanc",
    "Cuando Calienta El Sol",
    "Loaded Like A Gun",
    "Mr. & Mrs. Smith",
};

static const char *const band_words[] = {
    "Orchestra",  "Band",    "Quartet",  "Trio",         "Collective",
    "Experience", "Project", "Ensemble", "Sound System", "Allstars",
};

const char *names_first(Rng *r, char gender)
{
    return gender == 'F' ? RNG_PICK(r, first_f) : RNG_PICK(r, first_m);
}

const char *names_last(Rng *r)
{
    return RNG_PICK(r, last_names);
}
const char *names_metro(Rng *r)
{
    return RNG_PICK(r, metros);
}
const char *names_user_agent(Rng *r)
{
    return RNG_PICK(r, agents);
}
const Place *names_place(Rng *r)
{
    return &places[rng_below(r, COUNT(places))];
}

const char *names_famous_artist(uint64_t i)
{
    return i < COUNT(famous) ? famous[i] : NULL;
}

void names_artist(Rng *r, Buf *out)
{
    switch (rng_below(r, 10)) {
    case 0:
    case 1:
    case 2: /* a person */
        buf_puts(out, names_first(r, rng_below(r, 3) ? 'M' : 'F'));
        buf_putc(out, ' ');
        buf_puts(out, names_last(r));
        break;
    case 3:
    case 4: /* The Plurals */
        buf_puts(out, "The ");
        buf_puts(out, RNG_PICK(r, adjectives));
        buf_putc(out, ' ');
        buf_puts(out, RNG_PICK(r, plural));
        break;
    case 5: /* Adjective Noun */
        buf_puts(out, RNG_PICK(r, adjectives));
        buf_putc(out, ' ');
        buf_puts(out, RNG_PICK(r, nouns));
        break;
    case 6: /* Name & The Plurals */
        buf_puts(out, names_first(r, rng_below(r, 2) ? 'M' : 'F'));
        buf_puts(out, " & The ");
        buf_puts(out, RNG_PICK(r, plural));
        break;
    case 7: /* DJ / MC Noun */
        buf_puts(out, rng_below(r, 2) ? "DJ " : "MC ");
        buf_puts(out, RNG_PICK(r, nouns));
        break;
    case 8: /* Last's Plurals */
        buf_puts(out, names_last(r));
        buf_puts(out, "'s ");
        buf_puts(out, RNG_PICK(r, plural));
        break;
    default: /* a famous name, so names repeat across artist ids as in the real data */
        buf_puts(out, RNG_PICK(r, famous));
        break;
    }
}

void names_artist_variant(Rng *r, const char *name, Buf *out)
{
    switch (rng_below(r, 4)) {
    case 0:
        buf_puts(out, name);
        buf_puts(out, " featuring ");
        buf_puts(out, RNG_PICK(r, famous));
        break;
    case 1:
        if (strncmp(name, "The ", 4) == 0)
            buf_puts(out, name + 4);
        else
            buf_printf(out, "The %s", name);
        break;
    case 2: buf_printf(out, "%s & His %s", name, RNG_PICK(r, band_words)); break;
    default: buf_printf(out, "%s / %s", name, RNG_PICK(r, famous)); break;
    }
}

void names_title(Rng *r, Buf *out)
{
    switch (rng_below(r, 8)) {
    case 0: /* Adjective Noun */
        buf_puts(out, RNG_PICK(r, adjectives));
        buf_putc(out, ' ');
        buf_puts(out, RNG_PICK(r, nouns));
        break;
    case 1: /* Verb Me */
        buf_puts(out, RNG_PICK(r, verbs));
        buf_putc(out, ' ');
        buf_puts(out, RNG_PICK(r, objects));
        if (rng_below(r, 2)) {
            buf_puts(out, " To The ");
            buf_puts(out, RNG_PICK(r, nouns));
        }
        break;
    case 2: /* The Noun Of Noun */
        buf_puts(out, "The ");
        buf_puts(out, RNG_PICK(r, nouns));
        buf_puts(out, " Of ");
        buf_puts(out, RNG_PICK(r, nouns));
        break;
    case 3: /* Noun & Noun */
        buf_puts(out, RNG_PICK(r, nouns));
        buf_puts(out, " & ");
        buf_puts(out, RNG_PICK(r, nouns));
        break;
    case 4: /* a fixed title */ buf_puts(out, RNG_PICK(r, fixed_titles)); break;
    case 5: /* I Can't Verb */
        buf_puts(out, rng_below(r, 2) ? "I Can't " : "Don't ");
        buf_puts(out, RNG_PICK(r, verbs));
        buf_putc(out, ' ');
        buf_puts(out, RNG_PICK(r, objects));
        break;
    case 6: /* "Adjective" */
        buf_putc(out, '"');
        buf_puts(out, RNG_PICK(r, adjectives));
        buf_puts(out, "\" ");
        buf_puts(out, RNG_PICK(r, nouns));
        break;
    default: /* one noun */ buf_puts(out, RNG_PICK(r, nouns)); break;
    }
    if (rng_below(r, 100) < 18)
        buf_puts(out, RNG_PICK(r, suffixes));
}
