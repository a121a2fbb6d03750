-- +goose Up
-- Activities: what a branch plans, invites to, checks people in at and records. Types are
-- data (the built-in ones below, and any an administrator adds); one activity may count as
-- several types.
CREATE TABLE activity_types (
    code       TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    study      INTEGER NOT NULL DEFAULT 0,          -- attending credits study hours
    open_to    TEXT NOT NULL DEFAULT 'members',      -- members, activists, masses: who may be invited
    builtin    INTEGER NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO activity_types (code, name_zh, name_en, study, open_to, builtin, sort_order) VALUES
 ('general_meeting', '支部党员大会', 'Branch general meeting', '0', 'members', '1', 10),
 ('committee_meeting', '支委会', 'Committee meeting', '0', 'members', '1', 20),
 ('group_meeting', '党小组会', 'Group meeting', '0', 'members', '1', 30),
 ('party_lecture', '党课', 'Party lecture', '1', 'activists', '1', 40),
 ('theme_day', '主题党日', 'Theme party day', '0', 'activists', '1', 50),
 ('life_meeting', '组织生活会', 'Organizational life meeting', '0', 'members', '1', 60),
 ('democratic_evaluation', '民主评议党员', 'Democratic evaluation of members', '0', 'members', '1', 70),
 ('talk', '谈心谈话', 'Heart-to-heart talk', '0', 'members', '1', 80),
 ('study_session', '学习会', 'Study session', '1', 'activists', '1', 90),
 ('red_trip', '红色教育研学', 'Red-education trip', '1', 'activists', '1', 100),
 ('volunteer', '志愿服务', 'Volunteer service', '0', 'masses', '1', 110),
 ('mass_visit_day', '走访群众日', 'Mass-work visit day', '0', 'masses', '1', 120),
 ('team_building', '团建活动', 'Team building', '0', 'activists', '1', 130),
 ('other', '其他', 'Other', '0', 'masses', '1', 900);

-- A catalogue of places: red-education bases, memorials, scenic areas, villages, meeting rooms.
CREATE TABLE sites (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organizations(id), -- who keeps the entry
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,               -- red_base, memorial, scenic_area, village, meeting_room, other
    level        TEXT NOT NULL DEFAULT '',    -- e.g. AAAA, national red-education base
    address      TEXT NOT NULL DEFAULT '',
    latitude     REAL,
    longitude    REAL,
    altitude_m   INTEGER NOT NULL DEFAULT 0,  -- highest point
    area_km2     REAL NOT NULL DEFAULT 0,
    spots        INTEGER NOT NULL DEFAULT 0,  -- number of scenic spots
    facts        TEXT NOT NULL DEFAULT '',    -- other facts, one line
    history      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sites_name ON sites(name);

CREATE TABLE activities (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organizations(id),
    title             TEXT NOT NULL,
    theme             TEXT NOT NULL DEFAULT '',
    purpose           TEXT NOT NULL DEFAULT '',
    place             TEXT NOT NULL DEFAULT '',
    site_id           INTEGER REFERENCES sites(id),
    starts_at         BIGINT NOT NULL,
    ends_at           BIGINT NOT NULL,          -- exclusive for all-day activities (midnight after the last day)
    all_day           INTEGER NOT NULL DEFAULT 0,
    host_id           INTEGER REFERENCES people(id),
    recorder_id       INTEGER REFERENCES people(id),
    lecturer          TEXT NOT NULL DEFAULT '',
    lecture_topic     TEXT NOT NULL DEFAULT '',
    agenda            TEXT NOT NULL DEFAULT '',
    safety_notes      TEXT NOT NULL DEFAULT '',
    signup_required   INTEGER NOT NULL DEFAULT 0,
    walk_ins          INTEGER NOT NULL DEFAULT 0, -- an uninvited member may check in as "attended, not invited"
    checkin_opens_at  BIGINT NOT NULL,
    checkin_closes_at BIGINT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'planned', -- planned, cancelled
    sequence          INTEGER NOT NULL DEFAULT 0,      -- iCalendar SEQUENCE: bumped by every change
    created_by        INTEGER REFERENCES users(id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX activities_org ON activities(org_id, starts_at);
CREATE INDEX activities_site ON activities(site_id);

CREATE TABLE activity_type_links (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    type_code   TEXT NOT NULL REFERENCES activity_types(code),
    PRIMARY KEY (activity_id, type_code)
);
CREATE INDEX activity_type_links_type ON activity_type_links(type_code, activity_id);

-- The day-by-day itinerary of an activity.
CREATE TABLE itinerary_stops (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,               -- YYYY-MM-DD in the organization's zone
    start_time  TEXT NOT NULL DEFAULT '',    -- HH:MM
    end_time    TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL DEFAULT '',
    site_id     INTEGER REFERENCES sites(id),
    what        TEXT NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX itinerary_stops_activity ON itinerary_stops(activity_id, day, sort_order);
CREATE INDEX itinerary_stops_site ON itinerary_stops(site_id);

-- Invitations as given (an organization with or without its subtree, or one person), kept to
-- show who was invited how; participants below are the people they resolved to.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    org_id      INTEGER REFERENCES organizations(id),
    subtree     INTEGER NOT NULL DEFAULT 0,
    stages      TEXT NOT NULL DEFAULT '',    -- ,full,probationary, ... the stages invited
    person_id   INTEGER REFERENCES people(id),
    created_by  INTEGER REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX invitations_activity ON invitations(activity_id);

CREATE TABLE participants (
    activity_id   INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    invited       INTEGER NOT NULL DEFAULT 1,    -- 0: attended, not invited (walk-in)
    response      TEXT NOT NULL DEFAULT '',      -- '', signed_up, leave_requested, leave_approved, leave_declined
    leave_reason  TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    BIGINT NOT NULL DEFAULT 0,
    absent_reason TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (activity_id, person_id)
);
CREATE INDEX participants_person ON participants(person_id, activity_id);

-- Attendance, one row per person and day of the activity: who checked in, when and how, and
-- who recorded it.
CREATE TABLE attendance (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    day         TEXT NOT NULL,               -- YYYY-MM-DD in the organization's zone
    late        INTEGER NOT NULL DEFAULT 0,
    method      TEXT NOT NULL,               -- qr, manual
    by_user     INTEGER REFERENCES users(id),
    by_name     TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    UNIQUE (activity_id, person_id, day)
);
CREATE INDEX attendance_person ON attendance(person_id, at);

-- +goose Down
DROP TABLE attendance;
DROP TABLE participants;
DROP TABLE invitations;
DROP TABLE itinerary_stops;
DROP TABLE activity_type_links;
DROP TABLE activities;
DROP TABLE sites;
DROP TABLE activity_types;
