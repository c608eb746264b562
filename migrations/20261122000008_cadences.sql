-- The tier channels' cadences: All-Stars weekly check-ins with each creator's answer, and
-- competitions staff run in #competitions.

CREATE TABLE checkins (
    id          BIGSERIAL PRIMARY KEY,
    program_id  BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    -- the cadence instant the check-in was posted for
    posted_for  TIMESTAMPTZ NOT NULL,
    UNIQUE (program_id, posted_for)
);

CREATE TABLE checkin_answers (
    checkin_id   BIGINT NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
    program_id   BIGINT NOT NULL,
    creator_id   BIGINT NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    answer       TEXT NOT NULL,
    answered_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (checkin_id, creator_id)
);

CREATE TABLE competitions (
    id          BIGSERIAL PRIMARY KEY,
    program_id  BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (name <> ''),
    metric      TEXT NOT NULL CHECK (metric IN ('gmv', 'videos', 'views')),
    -- program-local days, end exclusive (like every period)
    starts_on   DATE NOT NULL,
    ends_on     DATE NOT NULL CHECK (ends_on > starts_on),
    -- only creators of this tier compete; NULL: everyone
    tier        TEXT CHECK (tier IN ('all_stars', 'steady_earners', 'new_and_promising')),
    prize       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    -- when the winners were announced (or staff ended it early)
    ended_at    TIMESTAMPTZ
);
-- Staff type names in any case: "Holiday Sprint" and "holiday sprint" are one competition.
CREATE UNIQUE INDEX competitions_name ON competitions (program_id, lower(name));
CREATE INDEX competitions_open ON competitions (program_id, ends_on) WHERE ended_at IS NULL;
