export { TokenService, type Claims, type RevocationLookup, type SessionClaims, type UserClaims } from './tokens';
export { AuthService, toUserView, type TokenRevoker, type UserView } from './auth-service';
export { PasswordHasher, WorkGate, DEFAULT_HASHING, type HashingLimits } from './passwords';
