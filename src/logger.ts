import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs on stdout. Authorization headers, tokens and passwords are redacted wherever they appear. */
export function createLogger(level: string, name = 'chatpop'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['*.authorization', '*.password', '*.token', '*.session_token', 'req.headers.authorization', '*.adminToken', '*.sessionSecret'],
      censor: '[redacted]',
    },
  });
}
