-- migration: v1
CREATE TABLE device (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  extensionNumber TEXT NOT NULL UNIQUE
    CHECK (length(extensionNumber) BETWEEN 1 AND 20 AND extensionNumber NOT GLOB '*[^0-9]*'),
  name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
  emailAddresses TEXT NOT NULL
    CHECK (json_valid(emailAddresses) AND json_type(emailAddresses) = 'array'
           AND json_array_length(emailAddresses) BETWEEN 1 AND 20),
  deliveryFormat TEXT NOT NULL DEFAULT 'pdf' CHECK (deliveryFormat IN ('pdf', 'tiff', 'both', 'inline')),
  stationID TEXT NOT NULL DEFAULT '' CHECK (length(stationID) <= 20),
  headerText TEXT NOT NULL DEFAULT '' CHECK (length(headerText) <= 50),
  isEnabled BOOLEAN NOT NULL DEFAULT 1 CHECK (isEnabled IN (0, 1)),
  groupName TEXT CHECK (groupName IS NULL
    OR (length(groupName) BETWEEN 1 AND 64 AND groupName NOT GLOB '*[^A-Za-z0-9._-]*'))
);
CREATE INDEX device_on_groupName ON device(groupName);
CREATE TABLE deviceGroup (
  name TEXT PRIMARY KEY NOT NULL
    CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^A-Za-z0-9._-]*'),
  isEnabled BOOLEAN NOT NULL CHECK (isEnabled IN (0, 1))
);
CREATE TABLE routingRule (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  position INTEGER NOT NULL CHECK (position >= 1),
  didPattern TEXT CHECK (didPattern IS NULL OR length(didPattern) BETWEEN 1 AND 64),
  callerPattern TEXT CHECK (callerPattern IS NULL OR length(callerPattern) BETWEEN 1 AND 64),
  action TEXT NOT NULL CHECK (action IN ('deliver', 'reject')),
  targetExtension TEXT REFERENCES device(extensionNumber) ON UPDATE CASCADE ON DELETE RESTRICT,
  continueAfterMatch BOOLEAN NOT NULL DEFAULT 0 CHECK (continueAfterMatch IN (0, 1)),
  isEnabled BOOLEAN NOT NULL DEFAULT 1 CHECK (isEnabled IN (0, 1)),
  description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 200),
  CHECK ((action = 'deliver') = (targetExtension IS NOT NULL))
);
CREATE INDEX routingRule_on_position ON routingRule(position);
CREATE INDEX routingRule_on_targetExtension ON routingRule(targetExtension);
CREATE TABLE routingSettings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  defaultExtension TEXT REFERENCES device(extensionNumber) ON UPDATE CASCADE ON DELETE RESTRICT,
  faxingEnabled BOOLEAN NOT NULL DEFAULT 1 CHECK (faxingEnabled IN (0, 1))
);
INSERT INTO routingSettings (id) VALUES (1);
CREATE TABLE fax (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  direction TEXT NOT NULL CHECK (direction IN ('received', 'sent')),
  createdAt DATETIME NOT NULL,
  finishedAt DATETIME CHECK (finishedAt IS NULL OR finishedAt >= createdAt),
  deviceExtensions TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(deviceExtensions) AND json_type(deviceExtensions) = 'array'),
  callerNumber TEXT NOT NULL DEFAULT '' CHECK (length(callerNumber) <= 256),
  callerName TEXT NOT NULL DEFAULT '' CHECK (length(callerName) <= 256),
  did TEXT NOT NULL DEFAULT '' CHECK (length(did) <= 256),
  lineName TEXT CHECK (lineName IS NULL OR length(lineName) <= 256),
  status TEXT NOT NULL
    CHECK (status IN ('receiving', 'received', 'partial', 'failed', 'refused', 'sending', 'sent')),
  pages INTEGER NOT NULL DEFAULT 0 CHECK (pages >= 0),
  bitRate INTEGER NOT NULL DEFAULT 0 CHECK (bitRate >= 0),
  ecm BOOLEAN NOT NULL DEFAULT 0 CHECK (ecm IN (0, 1)),
  resolution TEXT NOT NULL DEFAULT '' CHECK (length(resolution) <= 256),
  compression TEXT NOT NULL DEFAULT '' CHECK (length(compression) <= 256),
  remoteStationID TEXT NOT NULL DEFAULT '' CHECK (length(remoteStationID) <= 256),
  localStationID TEXT NOT NULL DEFAULT '' CHECK (length(localStationID) <= 256),
  duration DOUBLE NOT NULL DEFAULT 0 CHECK (duration >= 0),
  completionCode INTEGER,
  errorText TEXT NOT NULL DEFAULT '',
  statusString TEXT NOT NULL DEFAULT '',
  events TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(events) AND json_type(events) = 'array'),
  tiffPath TEXT CHECK (tiffPath IS NULL OR (length(tiffPath) BETWEEN 1 AND 1024
    AND substr(tiffPath, 1, 1) <> '/' AND instr('/' || tiffPath || '/', '/../') = 0)),
  pdfPath TEXT CHECK (pdfPath IS NULL OR (length(pdfPath) BETWEEN 1 AND 1024
    AND substr(pdfPath, 1, 1) <> '/' AND instr('/' || pdfPath || '/', '/../') = 0)),
  thumbnailPath TEXT CHECK (thumbnailPath IS NULL OR (length(thumbnailPath) BETWEEN 1 AND 1024
    AND substr(thumbnailPath, 1, 1) <> '/' AND instr('/' || thumbnailPath || '/', '/../') = 0)),
  deliveryState TEXT NOT NULL DEFAULT 'none'
    CHECK (deliveryState IN ('none', 'pending', 'delivered', 'failed'))
);
CREATE INDEX fax_on_createdAt ON fax(createdAt);
CREATE INDEX fax_on_status ON fax(status);
CREATE TABLE mailDelivery (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  faxId TEXT NOT NULL REFERENCES fax(id) ON DELETE CASCADE,
  recipient TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
    AND instr(recipient, '@') > 1 AND instr(recipient, char(13)) = 0 AND instr(recipient, char(10)) = 0),
  format TEXT NOT NULL CHECK (format IN ('pdf', 'tiff', 'both', 'inline')),
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  nextAttemptAt DATETIME,
  lastError TEXT CHECK (lastError IS NULL OR length(lastError) <= 2000),
  deliveredAt DATETIME,
  createdAt DATETIME NOT NULL,
  UNIQUE (faxId, recipient),
  CHECK ((state = 'pending') = (nextAttemptAt IS NOT NULL)),
  CHECK ((state = 'delivered') = (deliveredAt IS NOT NULL))
);
CREATE INDEX mailDelivery_on_state_nextAttemptAt ON mailDelivery(state, nextAttemptAt);

-- migration: retention
ALTER TABLE device ADD COLUMN retentionDays INTEGER
  CHECK (retentionDays IS NULL OR retentionDays BETWEEN 7 AND 36500);
-- PRAGMA 'main'.quick_check='device';
ALTER TABLE device ADD COLUMN zeroRetention BOOLEAN NOT NULL DEFAULT 0 CHECK (zeroRetention IN (0, 1));
-- PRAGMA 'main'.quick_check='device';
ALTER TABLE deviceGroup ADD COLUMN retentionDays INTEGER
  CHECK (retentionDays IS NULL OR retentionDays BETWEEN 7 AND 36500);
-- PRAGMA 'main'.quick_check='deviceGroup';
ALTER TABLE deviceGroup ADD COLUMN zeroRetention BOOLEAN NOT NULL DEFAULT 0 CHECK (zeroRetention IN (0, 1));
-- PRAGMA 'main'.quick_check='deviceGroup';
-- 'record': the record and its files are going; 'images': only the files (zero
-- retention). Set before any file is deleted, cleared (or the row deleted) after.
ALTER TABLE fax ADD COLUMN purgeState TEXT CHECK (purgeState IS NULL OR purgeState IN ('record', 'images'));
-- PRAGMA 'main'.quick_check='fax';
CREATE INDEX fax_on_purgeState ON fax(purgeState) WHERE purgeState IS NOT NULL;
-- The orphan sweep and the purge ask "does any record name this file?" by path, so
-- that files shared by several records (or named otherwise) are never mistaken.
CREATE INDEX fax_on_tiffPath ON fax(tiffPath);
CREATE INDEX fax_on_pdfPath ON fax(pdfPath);
CREATE INDEX fax_on_thumbnailPath ON fax(thumbnailPath);
CREATE TABLE auditLog (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at DATETIME NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('cleanup', 'manual-deletion')),
  actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
  summary TEXT NOT NULL CHECK (length(summary) <= 4000)
);
CREATE INDEX auditLog_on_at ON auditLog(at);

-- migration: outbound-jobs
CREATE TABLE job (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  broadcastId TEXT NOT NULL CHECK (length(broadcastId) BETWEEN 1 AND 64),
  number TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 32 AND number NOT GLOB '*[^0-9+*#]*'),
  documentPath TEXT NOT NULL CHECK (length(documentPath) BETWEEN 1 AND 1024
    AND substr(documentPath, 1, 1) <> '/' AND instr('/' || documentPath || '/', '/../') = 0),
  pageCount INTEGER NOT NULL CHECK (pageCount >= 1),
  nextPage INTEGER NOT NULL CHECK (nextPage BETWEEN 1 AND pageCount + 1),
  priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 255),
  maxTries INTEGER NOT NULL CHECK (maxTries >= 1),
  maxDials INTEGER NOT NULL CHECK (maxDials >= 1),
  tries INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
  dials INTEGER NOT NULL DEFAULT 0 CHECK (dials >= 0),
  submittedAt DATETIME NOT NULL,
  notBefore DATETIME NOT NULL,
  killAt DATETIME NOT NULL,
  sender TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(sender)),
  owner TEXT NOT NULL DEFAULT '' CHECK (length(owner) <= 256),
  notifyEmail TEXT CHECK (notifyEmail IS NULL OR (length(notifyEmail) BETWEEN 3 AND 254
    AND instr(notifyEmail, char(13)) = 0 AND instr(notifyEmail, char(10)) = 0)),
  notifyOnRequeue BOOLEAN NOT NULL DEFAULT 0 CHECK (notifyOnRequeue IN (0, 1)),
  state TEXT NOT NULL
    CHECK (state IN ('queued', 'requeued', 'dialing', 'sending', 'done', 'failed', 'killed')),
  reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
  lastCause TEXT,
  finishedAt DATETIME,
  attempts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attempts) AND json_type(attempts) = 'array')
);
CREATE INDEX job_waiting ON job(priority, notBefore, id) WHERE state IN ('queued', 'requeued');
CREATE INDEX job_on_state ON job(state);
CREATE INDEX job_on_broadcastId ON job(broadcastId);

-- migration: users
CREATE TABLE user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64
    AND name NOT GLOB '*[^a-z0-9._@-]*' AND substr(name, 1, 1) GLOB '[a-z0-9]'),
  displayName TEXT NOT NULL DEFAULT '' CHECK (length(displayName) <= 100),
  email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND instr(email, '@') > 1
    AND instr(email, char(13)) = 0 AND instr(email, char(10)) = 0 AND instr(email, ' ') = 0),
  isAdmin BOOLEAN NOT NULL DEFAULT 0 CHECK (isAdmin IN (0, 1)),
  isEnabled BOOLEAN NOT NULL DEFAULT 1 CHECK (isEnabled IN (0, 1)),
  passwordHash TEXT CHECK (passwordHash IS NULL
    OR (length(passwordHash) BETWEEN 59 AND 128 AND passwordHash GLOB '$2[aby]$[0-9][0-9]$*')),
  createdAt DATETIME NOT NULL,
  updatedAt DATETIME NOT NULL CHECK (updatedAt >= createdAt),
  lastLoginAt DATETIME
);
CREATE TABLE userDevice (
  userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  deviceExtension TEXT NOT NULL
    REFERENCES device(extensionNumber) ON UPDATE CASCADE ON DELETE CASCADE,
  PRIMARY KEY (userId, deviceExtension)
) WITHOUT ROWID;
CREATE INDEX userDevice_on_deviceExtension ON userDevice(deviceExtension);
CREATE TABLE apiToken (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  secretHash BLOB NOT NULL CHECK (typeof(secretHash) = 'blob' AND length(secretHash) = 32),
  scope TEXT NOT NULL CHECK (scope IN ('read', 'send', 'admin')),
  label TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 100),
  createdAt DATETIME NOT NULL,
  expiresAt DATETIME CHECK (expiresAt IS NULL OR expiresAt > createdAt),
  lastUsedAt DATETIME,
  revokedAt DATETIME CHECK (revokedAt IS NULL OR revokedAt >= createdAt)
);
CREATE INDEX apiToken_on_userId ON apiToken(userId);
CREATE TABLE loginFailure (
  subjectKind TEXT NOT NULL CHECK (subjectKind IN ('user', 'address')),
  subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 256),
  failures INTEGER NOT NULL CHECK (failures >= 1),
  windowStartedAt DATETIME NOT NULL,
  lockedUntil DATETIME CHECK (lockedUntil IS NULL OR lockedUntil > windowStartedAt),
  PRIMARY KEY (subjectKind, subject)
) WITHOUT ROWID;
CREATE TABLE auditLog_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at DATETIME NOT NULL,
  kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40 AND kind NOT GLOB '*[^a-z-]*'),
  actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
  summary TEXT NOT NULL CHECK (length(summary) <= 4000)
);
INSERT INTO auditLog_new (id, at, kind, actor, summary) SELECT id, at, kind, actor, summary FROM auditLog;
DROP TABLE auditLog;
ALTER TABLE auditLog_new RENAME TO auditLog;
CREATE INDEX auditLog_on_at ON auditLog(at);

-- migration: job-kill-time
CREATE INDEX job_waiting_on_killAt ON job(killAt, id) WHERE state IN ('queued', 'requeued');

-- migration: list-paging
CREATE INDEX fax_on_createdAt_id ON fax(createdAt, id);
CREATE INDEX fax_on_direction_createdAt_id ON fax(direction, createdAt, id);
DROP INDEX fax_on_createdAt;

-- migration: print-mail-notices
CREATE TABLE mailNotice (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
    AND instr(recipient, '@') > 1 AND instr(recipient, char(13)) = 0 AND instr(recipient, char(10)) = 0),
  subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200
    AND instr(subject, char(13)) = 0 AND instr(subject, char(10)) = 0),
  body TEXT NOT NULL CHECK (length(body) <= 20000),
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  nextAttemptAt DATETIME,
  lastError TEXT CHECK (lastError IS NULL OR length(lastError) <= 2000),
  deliveredAt DATETIME,
  createdAt DATETIME NOT NULL,
  CHECK ((state = 'pending') = (nextAttemptAt IS NOT NULL)),
  CHECK ((state = 'delivered') = (deliveredAt IS NOT NULL))
);
CREATE INDEX mailNotice_on_state_nextAttemptAt ON mailNotice(state, nextAttemptAt);

-- migration: hooks-webhooks
CREATE TABLE webhook (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  userId INTEGER REFERENCES user(id) ON DELETE CASCADE,
  url TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2000 AND (url GLOB 'http://*' OR url GLOB 'https://*')),
  secret TEXT NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
  events TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(events) AND json_type(events) = 'array'),
  createdAt DATETIME NOT NULL
);
CREATE INDEX webhook_on_userId ON webhook(userId);
CREATE TABLE webhookDelivery (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  webhookId TEXT REFERENCES webhook(id) ON DELETE CASCADE,
  callbackUrl TEXT CHECK (callbackUrl IS NULL
    OR (length(callbackUrl) BETWEEN 8 AND 2000 AND (callbackUrl GLOB 'http://*' OR callbackUrl GLOB 'https://*'))),
  userId INTEGER REFERENCES user(id) ON DELETE SET NULL,
  isRestricted BOOLEAN NOT NULL CHECK (isRestricted IN (0, 1)),
  event TEXT NOT NULL CHECK (event IN ('fax.received', 'job.queued', 'job.requeued', 'job.done', 'job.failed')),
  faxId TEXT CHECK (faxId IS NULL OR length(faxId) = 36),
  jobId INTEGER,
  subject TEXT NOT NULL CHECK (json_valid(subject)),
  occurredAt DATETIME NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  nextAttemptAt DATETIME,
  lastStatus INTEGER CHECK (lastStatus IS NULL OR lastStatus BETWEEN 100 AND 999),
  lastError TEXT CHECK (lastError IS NULL OR length(lastError) <= 2000),
  deliveredAt DATETIME,
  createdAt DATETIME NOT NULL,
  CHECK ((webhookId IS NULL) <> (callbackUrl IS NULL)),
  CHECK ((faxId IS NULL) <> (jobId IS NULL)),
  CHECK ((state = 'pending') = (nextAttemptAt IS NOT NULL)),
  CHECK ((state = 'delivered') = (deliveredAt IS NOT NULL))
);
CREATE INDEX webhookDelivery_on_state_nextAttemptAt ON webhookDelivery(state, nextAttemptAt);
CREATE INDEX webhookDelivery_on_createdAt ON webhookDelivery(createdAt);
CREATE INDEX webhookDelivery_on_webhookId ON webhookDelivery(webhookId);
CREATE INDEX webhookDelivery_on_userId ON webhookDelivery(userId);
CREATE TABLE webhookSettings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  callbackSecret TEXT NOT NULL CHECK (length(callbackSecret) BETWEEN 16 AND 200)
);
INSERT INTO webhookSettings (id, callbackSecret) VALUES (1, 'whsec_' || lower(hex(randomblob(32))));
ALTER TABLE job ADD COLUMN callbackUrl TEXT CHECK (callbackUrl IS NULL
  OR (length(callbackUrl) BETWEEN 8 AND 2000 AND (callbackUrl GLOB 'http://*' OR callbackUrl GLOB 'https://*')));
-- PRAGMA 'main'.quick_check='job';

-- migration: metrics-readiness-probe
CREATE TABLE readinessProbe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  checkedAt DATETIME NOT NULL
);

-- migration: web-app
CREATE TABLE webSession (
  secretHash BLOB PRIMARY KEY CHECK (typeof(secretHash) = 'blob' AND length(secretHash) = 32),
  userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  createdAt DATETIME NOT NULL,
  expiresAt DATETIME NOT NULL CHECK (expiresAt > createdAt)
) WITHOUT ROWID;
CREATE INDEX webSession_on_expiresAt ON webSession(expiresAt);
CREATE INDEX webSession_on_userId ON webSession(userId);
CREATE TABLE faxAnnotation (
  faxId TEXT PRIMARY KEY,
  note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array')
) WITHOUT ROWID;
CREATE TABLE faxRead (
  faxId TEXT NOT NULL,
  userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  readAt DATETIME NOT NULL,
  PRIMARY KEY (faxId, userId)
) WITHOUT ROWID;
CREATE INDEX faxRead_on_userId ON faxRead(userId);
CREATE TRIGGER fax_deleted_webApp AFTER DELETE ON fax BEGIN
  DELETE FROM faxAnnotation WHERE faxId = OLD.id;
  DELETE FROM faxRead WHERE faxId = OLD.id;
END;

-- migration: report-job-reports
ALTER TABLE mailNotice ADD COLUMN jobID INTEGER CHECK (jobID IS NULL OR jobID > 0);
-- PRAGMA 'main'.quick_check='mailNotice';

-- migration: mailtag-job-tag
ALTER TABLE job ADD COLUMN tag TEXT
  CHECK (tag IS NULL OR (length(tag) BETWEEN 1 AND 50 AND tag NOT GLOB '*[' || char(1) || '-' || char(31) || char(127) || ']*'));
-- PRAGMA 'main'.quick_check='job';
CREATE INDEX job_on_tag ON job(tag, id) WHERE tag IS NOT NULL;

-- migration: book-contacts
CREATE TABLE contact (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  ownerId INTEGER REFERENCES user(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100 AND length(name) <= 100),
  company TEXT NOT NULL DEFAULT '' CHECK (length(company) <= 100),
  faxNumber TEXT NOT NULL CHECK (length(faxNumber) BETWEEN 1 AND 32 AND faxNumber GLOB '*[0-9*#]*'
    AND faxNumber NOT GLOB '*[^0-9*#+]*' AND instr(substr(faxNumber, 2), '+') = 0),
  note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  createdAt DATETIME NOT NULL,
  updatedAt DATETIME NOT NULL CHECK (updatedAt >= createdAt)
);
CREATE INDEX contact_on_name ON contact(name COLLATE NOCASE, id);
CREATE INDEX contact_on_ownerId_name ON contact(ownerId, name COLLATE NOCASE, id);
