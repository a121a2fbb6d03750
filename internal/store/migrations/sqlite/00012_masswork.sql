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

-- The official arrangements of public holidays and the weekend days worked in their place
-- (国务院办公厅关于2025年部分节假日安排的通知; 国务院办公厅关于2026年部分节假日安排的通知).
-- Later years are added by administrators (SaveHolidays).
INSERT INTO holidays (day, kind, name) VALUES
    ('2025-01-01', 'off', '元旦'),
    ('2025-01-26', 'work', '春节调休上班'),
    ('2025-01-28', 'off', '春节'),
    ('2025-01-29', 'off', '春节'),
    ('2025-01-30', 'off', '春节'),
    ('2025-01-31', 'off', '春节'),
    ('2025-02-01', 'off', '春节'),
    ('2025-02-02', 'off', '春节'),
    ('2025-02-03', 'off', '春节'),
    ('2025-02-04', 'off', '春节'),
    ('2025-02-08', 'work', '春节调休上班'),
    ('2025-04-04', 'off', '清明节'),
    ('2025-04-05', 'off', '清明节'),
    ('2025-04-06', 'off', '清明节'),
    ('2025-04-27', 'work', '劳动节调休上班'),
    ('2025-05-01', 'off', '劳动节'),
    ('2025-05-02', 'off', '劳动节'),
    ('2025-05-03', 'off', '劳动节'),
    ('2025-05-04', 'off', '劳动节'),
    ('2025-05-05', 'off', '劳动节'),
    ('2025-05-31', 'off', '端午节'),
    ('2025-06-01', 'off', '端午节'),
    ('2025-06-02', 'off', '端午节'),
    ('2025-09-28', 'work', '国庆节、中秋节调休上班'),
    ('2025-10-01', 'off', '国庆节、中秋节'),
    ('2025-10-02', 'off', '国庆节、中秋节'),
    ('2025-10-03', 'off', '国庆节、中秋节'),
    ('2025-10-04', 'off', '国庆节、中秋节'),
    ('2025-10-05', 'off', '国庆节、中秋节'),
    ('2025-10-06', 'off', '国庆节、中秋节'),
    ('2025-10-07', 'off', '国庆节、中秋节'),
    ('2025-10-08', 'off', '国庆节、中秋节'),
    ('2025-10-11', 'work', '国庆节、中秋节调休上班'),
    ('2026-01-01', 'off', '元旦'),
    ('2026-01-02', 'off', '元旦'),
    ('2026-01-03', 'off', '元旦'),
    ('2026-01-04', 'work', '元旦调休上班'),
    ('2026-02-14', 'work', '春节调休上班'),
    ('2026-02-15', 'off', '春节'),
    ('2026-02-16', 'off', '春节'),
    ('2026-02-17', 'off', '春节'),
    ('2026-02-18', 'off', '春节'),
    ('2026-02-19', 'off', '春节'),
    ('2026-02-20', 'off', '春节'),
    ('2026-02-21', 'off', '春节'),
    ('2026-02-22', 'off', '春节'),
    ('2026-02-23', 'off', '春节'),
    ('2026-02-28', 'work', '春节调休上班'),
    ('2026-04-04', 'off', '清明节'),
    ('2026-04-05', 'off', '清明节'),
    ('2026-04-06', 'off', '清明节'),
    ('2026-05-01', 'off', '劳动节'),
    ('2026-05-02', 'off', '劳动节'),
    ('2026-05-03', 'off', '劳动节'),
    ('2026-05-04', 'off', '劳动节'),
    ('2026-05-05', 'off', '劳动节'),
    ('2026-05-09', 'work', '劳动节调休上班'),
    ('2026-06-19', 'off', '端午节'),
    ('2026-06-20', 'off', '端午节'),
    ('2026-06-21', 'off', '端午节'),
    ('2026-09-20', 'work', '国庆节调休上班'),
    ('2026-09-25', 'off', '中秋节'),
    ('2026-09-26', 'off', '中秋节'),
    ('2026-09-27', 'off', '中秋节'),
    ('2026-10-01', 'off', '国庆节'),
    ('2026-10-02', 'off', '国庆节'),
    ('2026-10-03', 'off', '国庆节'),
    ('2026-10-04', 'off', '国庆节'),
    ('2026-10-05', 'off', '国庆节'),
    ('2026-10-06', 'off', '国庆节'),
    ('2026-10-07', 'off', '国庆节'),
    ('2026-10-10', 'work', '国庆节调休上班');

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
CREATE INDEX matters_rank ON matters(rank_key);
CREATE INDEX matters_created ON matters(created_at);
CREATE INDEX matters_response_due ON matters(response_due) WHERE responded_at = 0;
CREATE INDEX matters_resolve_due ON matters(resolve_due) WHERE resolved_at = 0;
-- Statistics count first responses by month (responded_at > 0 in the query lets it serve).
CREATE INDEX matters_responded ON matters(responded_at) WHERE responded_at > 0;

-- One report of a problem by one person through one channel: the public form (web), staff
-- on someone's behalf (staff, phone, visit) or the Open311 API (open311). A "me too" is a
-- report with kind metoo and no text of its own. Every report has its own tracking code and a
-- private key (its hash only) for the reporter's link. person_key names the distinct person:
-- p:<person id> for a contact on the register, h:<keyed hash of the phone>, or r:<report code>
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
CREATE INDEX problems_matter_person ON problems(matter_id, person_key, created_at);
CREATE INDEX problems_person ON problems(person_id);
CREATE INDEX problems_created ON problems(created_at);
-- The problems raised during a visit, for the visit's page and the list of visits.
CREATE INDEX problems_visit ON problems(visit_id) WHERE visit_id IS NOT NULL;

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
-- Statistics count decisions and resolutions by month.
CREATE INDEX matter_events_kind ON matter_events(kind, at);

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
    UNIQUE (matter_id, problem_id, round)
);
CREATE INDEX matter_feedback_matter ON matter_feedback(matter_id, round);
-- Statistics count answers by month.
CREATE INDEX matter_feedback_answered ON matter_feedback(answered_at) WHERE answered_at > 0;

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
-- The contacts of an area, for its coverage: the masses by zone.
CREATE INDEX people_masses_zone ON people(zone, org_id) WHERE stage = 'masses';

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
DROP INDEX people_masses_zone;
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
