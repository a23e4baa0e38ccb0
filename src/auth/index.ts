export { TokenService, type Claims, type RevocationLookup, type SessionClaims, type UserClaims } from './tokens';
export { AuthService, toUserView, type TokenRevoker, type UserView } from './auth-service';
export { hashPassword, verifyPassword } from './passwords';
