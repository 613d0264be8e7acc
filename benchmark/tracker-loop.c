// tracker-loop PORT N MAXSEC HOST GROUP NAME: N times: connect to HOST:PORT, QUERY_FETCH_ONE (102)
// for GROUP/NAME with the header and the body in two writes (Nagle on, as the split client), read
// the answer, close -- the split client's tracker query per operation.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int c,char**v){int port=atoi(v[1]);long n=atol(v[2]);double maxs=atof(v[3]);
 struct sockaddr_in a;memset(&a,0,sizeof a);a.sin_family=AF_INET;a.sin_port=htons(port);inet_pton(AF_INET,v[4],&a.sin_addr);
 unsigned char body[256]={0};size_t gl=strlen(v[5]),nl=strlen(v[6]);memcpy(body,v[5],gl);memcpy(body+16,v[6],nl);size_t bl=16+nl;
 unsigned char h[10]={0};for(int i=0;i<8;i++)h[7-i]=(bl>>(8*i))&0xff;h[8]=102;
 unsigned char r[512];double t0=now();long i;
 for(i=0;i<n&&now()-t0<maxs;i++){int s=socket(AF_INET,SOCK_STREAM,0);
  if(connect(s,(void*)&a,sizeof a)){perror("connect");return 1;}
  if(write(s,h,10)!=10){perror("w");return 1;}
  if(write(s,body,bl)!=(ssize_t)bl){perror("w2");return 1;}
  int got=0;while(got<10){int k=read(s,r+got,10-got);if(k<=0){perror("r");return 1;}got+=k;}
  if(r[9]!=0){fprintf(stderr,"status %d\n",r[9]);return 1;}
  long len=0;for(int j=0;j<8;j++)len=(len<<8)|r[j];
  got=0;while(got<len){int k=read(s,r+got,len-got);if(k<=0){perror("r2");return 1;}got+=k;}
  close(s);}
 double el=now()-t0;printf("%ld queries in %.3f s: %.1f us each\n",i,el,el*1e6/i);return 0;}
