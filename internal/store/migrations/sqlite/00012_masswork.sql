-- +goose Up
-- Mass work (群众工作): problems the masses raise, gathered into matters, handled to the end
-- and closed only with the reporters' say; projects of practical things for the masses;
-- visits to contacts and the coverage of an area. Instants are Unix milliseconds (UTC).

-- Categories of problems (Open311 "services") of an organization; they apply to its
-- subtree. code is the Open311 service_code, unique in the installation. fields is a JSON
-- array of extra fields (Open311 service definition attributes: code, datatype, required,
-- description, values). Deadlines are counted in working days.
CREATE TABLE problem_categories (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    code          TEXT NOT NULL UNIQUE,
    name_zh       TEXT NOT NULL,
    name_en       TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    keywords      TEXT NOT NULL DEFAULT '',
    grp           TEXT NOT NULL DEFAULT '',
    response_days INTEGER NOT NULL DEFAULT 1,
    resolve_days  INTEGER NOT NULL DEFAULT 10,
    fields        TEXT NOT NULL DEFAULT '[]',
    active        INTEGER NOT NULL DEFAULT 1,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX problem_categories_org ON problem_categories(org_id);

-- Days that break the Monday-to-Friday week: public holidays (off) and the weekend days
-- worked in their place (work, 调休).
CREATE TABLE holidays (
    day  TEXT PRIMARY KEY,                  -- YYYY-MM-DD
    kind TEXT NOT NULL,                     -- off, work
    name TEXT NOT NULL DEFAULT '',
    CHECK (kind IN ('off', 'work'))
);

-- A matter is one problem as the organization handles it: every report of it, by every
-- channel, belongs to it. code is its tracking code. people and rank_key are derived from its
-- reports: people counts distinct people; rank is log2 of the sum over them of
-- 2^((t - epoch) / 30 days), t the time of each person's latest report, so that ordering by it
-- orders by prominence at any moment. grams is the number of distinct bigrams of its text.
CREATE TABLE matters (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    code                TEXT NOT NULL UNIQUE,
    org_id              INTEGER NOT NULL REFERENCES organizations(id),  -- handling organization
    category_id         INTEGER NOT NULL REFERENCES problem_categories(id),
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL DEFAULT '',  -- public wording by staff
    withheld            INTEGER NOT NULL DEFAULT 0, -- descriptions hidden from the public board
    status              TEXT NOT NULL,
    zone                TEXT NOT NULL DEFAULT '',
    booth               TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    latitude            DOUBLE PRECISION,
    longitude           DOUBLE PRECISION,
    assignee_person_id  INTEGER REFERENCES people(id),
    assignee_name       TEXT NOT NULL DEFAULT '',
    people              INTEGER NOT NULL DEFAULT 0,
    rank_key            DOUBLE PRECISION NOT NULL DEFAULT 0,
    grams               INTEGER NOT NULL DEFAULT 0,
    response_due        BIGINT NOT NULL DEFAULT 0,
    resolve_due         BIGINT NOT NULL DEFAULT 0,
    responded_at        BIGINT NOT NULL DEFAULT 0, -- first response: accepted, rejected or a public reply
    accepted_at         BIGINT NOT NULL DEFAULT 0,
    resolved_at         BIGINT NOT NULL DEFAULT 0,
    closed_at           BIGINT NOT NULL DEFAULT 0,
    close_reason        TEXT NOT NULL DEFAULT '',  -- answered, no_reply, rejected, merged
    reject_reason       TEXT NOT NULL DEFAULT '',
    merged_into         INTEGER REFERENCES matters(id),
    escalated_org_id    INTEGER REFERENCES organizations(id),
    escalations         INTEGER NOT NULL DEFAULT 0,
    round               INTEGER NOT NULL DEFAULT 0, -- resolutions so far; feedback is asked per round
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    CHECK (status IN ('submitted', 'accepted', 'in_progress', 'resolved', 'closed', 'rejected', 'merged'))
);
CREATE INDEX matters_org ON matters(org_id, status);
CREATE INDEX matters_rank ON matters(status, rank_key);
CREATE INDEX matters_created ON matters(created_at);
CREATE INDEX matters_response_due ON matters(response_due) WHERE responded_at = 0;
CREATE INDEX matters_resolve_due ON matters(resolve_due) WHERE resolved_at = 0;

-- One report of a problem by one person through one channel: the public form (web), staff
-- on someone's behalf (staff, phone, visit) or the Open311 API (open311). A "me too" is a
-- report with kind metoo and no text of its own. Every report has its own tracking code and a
-- private key (its hash only) for the reporter's link. person_key names the distinct person:
-- p:<person id> for a contact on the register, h:<keyed hash of the phone>, or r:<report id>
-- for an anonymous one. original_matter_id is the matter it was filed in, for splitting
-- merged matters again.
CREATE TABLE problems (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    matter_id           INTEGER NOT NULL REFERENCES matters(id),
    original_matter_id  INTEGER NOT NULL REFERENCES matters(id),
    code                TEXT NOT NULL UNIQUE,
    secret_hash         TEXT NOT NULL,
    kind                TEXT NOT NULL DEFAULT 'report', -- report, metoo
    channel             TEXT NOT NULL,
    category_id         INTEGER NOT NULL REFERENCES problem_categories(id),
    description         TEXT NOT NULL DEFAULT '',
    attributes          TEXT NOT NULL DEFAULT '{}', -- JSON: the category's extra fields
    zone                TEXT NOT NULL DEFAULT '',
    booth               TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    latitude            DOUBLE PRECISION,
    longitude           DOUBLE PRECISION,
    anonymous           INTEGER NOT NULL DEFAULT 0,
    person_id           INTEGER REFERENCES people(id),
    reporter_name       TEXT NOT NULL DEFAULT '',
    phone_enc           BLOB,
    phone_mask          TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    person_key          TEXT NOT NULL,
    visit_id            INTEGER,
    created_by          INTEGER REFERENCES users(id),
    created_by_name     TEXT NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    CHECK (kind IN ('report', 'metoo'))
);
CREATE INDEX problems_matter ON problems(matter_id, created_at);
CREATE INDEX problems_person ON problems(person_id);
CREATE INDEX problems_created ON problems(created_at);

-- The similarity index: the distinct character bigrams (and Latin or digit words) of the text
-- of every open matter, as 32-bit hashes, by category. Suggestions look up the bigrams of
-- what the reporter types here instead of scanning problems.
CREATE TABLE matter_grams (
    category_id INTEGER NOT NULL,
    gram        INTEGER NOT NULL,
    matter_id   INTEGER NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
    PRIMARY KEY (category_id, gram, matter_id)
);
CREATE INDEX matter_grams_matter ON matter_grams(matter_id);

-- A matter's timeline: every change of status, assignment, escalation, merge or split,
-- public replies (public = 1) and internal notes.
CREATE TABLE matter_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    matter_id   INTEGER NOT NULL REFERENCES matters(id),
    kind        TEXT NOT NULL,
    public      INTEGER NOT NULL DEFAULT 0,
    body        TEXT NOT NULL DEFAULT '',
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    by_user     INTEGER REFERENCES users(id),
    by_name     TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX matter_events_matter ON matter_events(matter_id, at);

-- The reporters' say after a resolution: one row per report asked in a round; answered_at 0
-- until answered. rating: satisfied, basic, dissatisfied.
CREATE TABLE matter_feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    matter_id   INTEGER NOT NULL REFERENCES matters(id),
    problem_id  INTEGER NOT NULL REFERENCES problems(id),
    round       INTEGER NOT NULL,
    asked_at    BIGINT NOT NULL,
    answered_at BIGINT NOT NULL DEFAULT 0,
    solved      INTEGER NOT NULL DEFAULT 0,
    rating      TEXT NOT NULL DEFAULT '',
    comment     TEXT NOT NULL DEFAULT '',
    via         TEXT NOT NULL DEFAULT '', -- link (the reporter) or call (staff calling back)
    by_user     INTEGER REFERENCES users(id),
    UNIQUE (problem_id, round)
);
CREATE INDEX matter_feedback_matter ON matter_feedback(matter_id, round);

-- Photos of reports, kept in the database like activity files. The type is sniffed from
-- the content; images have a JPEG thumbnail. The bytes come last.
CREATE TABLE problem_photos (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id   INTEGER NOT NULL REFERENCES problems(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    thumb        BLOB,
    data         BLOB NOT NULL
);
CREATE INDEX problem_photos_problem ON problem_photos(problem_id);

-- Practical things for the masses (我为群众办实事): projects adopting matters, with
-- milestones; progress is the weighted average of the milestones' progress.
CREATE TABLE projects (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organizations(id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    owner_person_id INTEGER REFERENCES people(id),
    owner_name      TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'active', -- active, done, dropped
    public          INTEGER NOT NULL DEFAULT 1,
    starts_on       TEXT NOT NULL DEFAULT '',
    due_on          TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX projects_org ON projects(org_id);

CREATE TABLE project_matters (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    matter_id  INTEGER NOT NULL REFERENCES matters(id),
    PRIMARY KEY (project_id, matter_id)
);
CREATE INDEX project_matters_matter ON project_matters(matter_id);

CREATE TABLE project_milestones (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    weight     DOUBLE PRECISION NOT NULL DEFAULT 1,
    progress   INTEGER NOT NULL DEFAULT 0, -- 0..100
    due_on     TEXT NOT NULL DEFAULT '',
    done_on    TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    CHECK (progress BETWEEN 0 AND 100)
);
CREATE INDEX project_milestones_project ON project_milestones(project_id, sort_order);

-- Visits (走访): a cadre meets a contact face to face.
CREATE TABLE visits (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organizations(id),
    visitor_person_id INTEGER REFERENCES people(id),
    visitor_name      TEXT NOT NULL DEFAULT '',
    contact_id        INTEGER NOT NULL REFERENCES people(id),
    zone              TEXT NOT NULL DEFAULT '',
    booth             TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    visited_at        BIGINT NOT NULL,
    summary           TEXT NOT NULL DEFAULT '',
    created_by        INTEGER REFERENCES users(id),
    created_at        BIGINT NOT NULL
);
CREATE INDEX visits_contact ON visits(contact_id, visited_at);
CREATE INDEX visits_org ON visits(org_id, visited_at);

-- Contacts a cadre has reserved to visit; a reservation past expires_at is released.
CREATE TABLE visit_reservations (
    contact_id  INTEGER PRIMARY KEY REFERENCES people(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    user_name   TEXT NOT NULL DEFAULT '',
    reserved_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX visit_reservations_user ON visit_reservations(user_id);
CREATE INDEX visit_reservations_expires ON visit_reservations(expires_at);

-- Open311 API keys of an organization (their hash only); requests filed with a key go to
-- that organization.
CREATE TABLE open311_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users(id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE open311_keys;
DROP TABLE visit_reservations;
DROP TABLE visits;
DROP TABLE project_milestones;
DROP TABLE project_matters;
DROP TABLE projects;
DROP TABLE problem_photos;
DROP TABLE matter_feedback;
DROP TABLE matter_events;
DROP TABLE matter_grams;
DROP TABLE problems;
DROP TABLE matters;
DROP TABLE holidays;
DROP TABLE problem_categories;
