export { TokenService, type Claims, type SessionClaims, type UserClaims } from './tokens';
export { AuthService, toUserView, type UserView } from './auth-service';
export { hashPassword, verifyPassword } from './passwords';
